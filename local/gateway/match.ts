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
  let best: { resource: string; rank: number[]; params: Record<string, string> } | undefined;
  for (const resource of new Set(routes.map((r) => r.path))) {
    const template = segmentsOf(resource);
    if (template.length !== requested.length) continue;
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const t = template[i]!;
      const actual = requested[i]!;
      const param = /^\{(.+)\}$/.exec(t);
      if (param) {
        params[param[1]!] = safeDecode(actual);
        rank.push(1);
      } else {
        ok = t === actual;
        rank.push(0);
      }
    }
    if (ok && (!best || compareRank(rank, best.rank) < 0)) best = { resource, rank, params };
  }
  if (!best) return undefined;
  const onResource = routes.filter((r) => r.path === best.resource);
  const route = onResource.find((r) => r.method === method);
  return {
    resource: best.resource,
    methods: onResource.map((r) => r.method),
    ...(route ? { route } : {}),
    pathParameters: Object.keys(best.params).length > 0 ? best.params : null,
  };
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
