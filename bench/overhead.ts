/**
 * Section 1: request overhead. Each route through the local gateway (autocannon, a real token),
 * and in the same run the raw DynamoDB calls that route makes (captured from one request of it,
 * replayed from this process), at the same concurrency. Ratio = route / raw.
 */
import { concurrentWaves, httpLoad, mintedIds, rawLoad, type LoadStats } from './lib/load.js';
import type { CapturedCall } from './lib/stack-child.js';
import { checkRoute, type BenchEnv } from './lib/setup.js';

export interface OverheadResult {
  route: string;
  /** The DynamoDB calls one request of the route makes (what "raw" replays). */
  /** The raw calls in the order the route made them; calls it made together are joined by `|`. */
  rawCalls: string[];
  /** New ids the route mints per request; the replay mints as many fresh ones each time. */
  mintedIdsPerRequest: number;
  byConcurrency: Array<{ connections: number; route: LoadStats; raw: LoadStats; p50Ratio: number; p99Ratio: number }>;
}

export async function runOverhead(env: BenchEnv, opts: { concurrency: number[]; durationS: number; warmupS: number; log: (s: string) => void }): Promise<OverheadResult[]> {
  const results: OverheadResult[] = [];
  for (const route of env.routes) {
    await checkRoute(route);
    // Let the stream consumers finish with earlier writes: they share the stack's DynamoDB client.
    await env.stack.settle();
    await env.stack.captureStart();
    await checkRoute(route);
    const calls: CapturedCall[] = await env.stack.captureStop();
    const freshIds = mintedIds(calls, route.request().url);
    // Only the calls of the request itself: the stream consumers use their own clients.
    opts.log(`overhead: ${route.name} makes ${calls.map((c) => c.operation).join(' + ')}; ids minted per request: ${freshIds.length}`);
    // Warm-up: JIT, connection pools, DynamoDB Local's caches, for both paths.
    await httpLoad(route.request(), { connections: 8, duration: opts.warmupS });
    await rawLoad(env.client, calls, { connections: 8, duration: opts.warmupS, freshIds });
    await env.stack.settle();
    const byConcurrency: OverheadResult['byConcurrency'] = [];
    for (const connections of opts.concurrency) {
      const r = await httpLoad(route.request(), { connections, duration: opts.durationS });
      await env.stack.settle();
      const raw = await rawLoad(env.client, calls, { connections, duration: opts.durationS, freshIds });
      await env.stack.settle();
      const row = { connections, route: r, raw, p50Ratio: r.p50 / raw.p50, p99Ratio: r.p99 / raw.p99 };
      opts.log(
        `overhead: ${route.name} c=${connections}: route p50 ${r.p50.toFixed(2)} ms (${r.throughputPerS.toFixed(0)}/s, ${r.errors} errors), raw p50 ${raw.p50.toFixed(2)} ms (${raw.throughputPerS.toFixed(0)}/s), ratio ${row.p50Ratio.toFixed(2)}`,
      );
      byConcurrency.push(row);
    }
    results.push({ route: route.name, rawCalls: concurrentWaves(calls).map((wave) => wave.map((i) => calls[i]!.operation).join('|')), mintedIdsPerRequest: freshIds.length, byConcurrency });
  }
  return results;
}
