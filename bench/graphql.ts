/**
 * Section: GraphQL against REST. The same operations (the overhead section's routes, same token,
 * same data) through the local gateway (REST) and through the local GraphqlUrl (the route's field,
 * every field selected, as a client asking for all of the REST body would), at the same
 * concurrency, alternating in one run. Ratio = GraphQL p50 / REST p50 (target <= 1.2).
 *
 * A GraphQL error still answers HTTP 200, which the load generator counts as a success: each
 * operation is checked for an answer without errors before and after its load.
 */
import { ROUTES, routeKey } from '../lambdas/routes.js';
import { toGraphql } from '../test/trust/support/graphql.js';
import { httpLoad, type HttpRequestSpec, type LoadStats } from './lib/load.js';
import type { BenchEnv } from './lib/setup.js';

export interface GraphqlResult {
  route: string;
  operation: string;
  byConcurrency: Array<{ connections: number; rest: LoadStats; graphql: LoadStats; p50Ratio: number }>;
}

/** The GraphQL request standing for a REST request spec of the bench. */
function asGraphql(env: BenchEnv, name: string, spec: HttpRequestSpec): { operation: string; spec: HttpRequestSpec } {
  const route = ROUTES.find((r) => routeKey(r) === name);
  if (!route) throw new Error(`bench: no route ${name}`);
  const url = new URL(spec.url);
  const path = `${url.pathname}${url.search}`;
  const token = (spec.headers.authorization ?? '').replace(/^Bearer /, '');
  const body = (b: string | undefined) => JSON.stringify(toGraphql(route, path, b ? (JSON.parse(b) as unknown) : undefined));
  return {
    operation: route.operation,
    spec: {
      method: 'POST',
      url: env.stack.outputs.GraphqlUrl,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body(spec.body),
      ...(spec.bodyFor ? { bodyFor: (n: number) => body(spec.bodyFor!(n)) } : {}),
    },
  };
}

async function checkGraphql(name: string, spec: HttpRequestSpec): Promise<void> {
  const res = await fetch(spec.url, { method: 'POST', headers: spec.headers, body: spec.bodyFor ? spec.bodyFor(1_000_000) : spec.body });
  const answer = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (res.status !== 200 || answer.errors?.length) throw new Error(`bench: ${name} over GraphQL answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
}

export async function runGraphqlVsRest(env: BenchEnv, opts: { concurrency: number[]; durationS: number; warmupS: number; log: (s: string) => void }): Promise<GraphqlResult[]> {
  const results: GraphqlResult[] = [];
  for (const route of env.routes) {
    const rest = route.request();
    const { operation, spec: gql } = asGraphql(env, route.name, rest);
    await checkGraphql(route.name, gql);
    await httpLoad(rest, { connections: 8, duration: opts.warmupS });
    await httpLoad(gql, { connections: 8, duration: opts.warmupS });
    await env.stack.settle();
    const byConcurrency: GraphqlResult['byConcurrency'] = [];
    for (const connections of opts.concurrency) {
      const r = await httpLoad(rest, { connections, duration: opts.durationS });
      await env.stack.settle();
      const g = await httpLoad(gql, { connections, duration: opts.durationS });
      await env.stack.settle();
      const row = { connections, rest: r, graphql: g, p50Ratio: g.p50 / r.p50 };
      opts.log(`graphql: ${operation} (${route.name}) c=${connections}: REST p50 ${r.p50.toFixed(2)} ms (${r.errors} errors), GraphQL p50 ${g.p50.toFixed(2)} ms (${g.errors} errors), ratio ${row.p50Ratio.toFixed(2)}`);
      byConcurrency.push(row);
    }
    await checkGraphql(route.name, gql);
    results.push({ route: route.name, operation, byConcurrency });
  }
  return results;
}
