/**
 * Route matching of the local gateway, as API Gateway REST resolves a request path to a resource
 * of the route table: the resource, its methods, and the URL-decoded path parameters.
 */
import type { RouteDef } from '../../lambdas/routes.js';

export interface RouteMatch {
  /** The resource template, e.g. `/patients/{patientId}`. */
  readonly resource: string;
  /** Methods the resource has. */
  readonly methods: readonly string[];
  /** The route for the request's method, when the resource has it. */
  readonly route?: RouteDef;
  readonly pathParameters: Record<string, string> | null;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '');

/**
 * Finds the resource a path belongs to. Literal segments beat `{param}` segments, compared from
 * the left (API Gateway's precedence: `/patients/export` wins over `/patients/{patientId}`).
 * Path parameters come back URL-decoded.
 */
export function matchRoute(routes: readonly RouteDef[], method: string, path: string): RouteMatch | undefined {
  const requested = segmentsOf(path);
  let best: { resource: Resource; rank: number[]; params: Record<string, string> } | undefined;
  for (const resource of resourcesOf(routes)) {
    const { segments } = resource;
    if (segments.length !== requested.length) continue;
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const { literal, param } = segments[i]!;
      const actual = requested[i]!;
      if (param !== undefined) {
        params[param] = safeDecode(actual);
        rank.push(1);
      } else {
        ok = literal === actual;
        rank.push(0);
      }
    }
    if (ok && (!best || compareRank(rank, best.rank) < 0)) best = { resource, rank, params };
  }
  if (!best) return undefined;
  const { path: resource, routes: onResource } = best.resource;
  const route = onResource.find((r) => r.method === method);
  return {
    resource,
    methods: onResource.map((r) => r.method),
    ...(route ? { route } : {}),
    pathParameters: Object.keys(best.params).length > 0 ? best.params : null,
  };
}

interface Resource {
  readonly path: string;
  readonly segments: ReadonlyArray<{ literal: string; param?: string }>;
  readonly routes: readonly RouteDef[];
}

/** Each route table's resources, split into segments once (the gateway matches every request against them). */
const compiled = new WeakMap<readonly RouteDef[], readonly Resource[]>();
function resourcesOf(routes: readonly RouteDef[]): readonly Resource[] {
  let resources = compiled.get(routes);
  if (!resources) {
    resources = [...new Set(routes.map((r) => r.path))].map((path) => ({
      path,
      segments: segmentsOf(path).map((literal) => ({ literal, param: /^\{(.+)\}$/.exec(literal)?.[1] })),
      routes: routes.filter((r) => r.path === path),
    }));
    compiled.set(routes, resources);
  }
  return resources;
}

const compareRank = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
