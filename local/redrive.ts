/**
 * `npm run redrive [-- --consumer audit|events] [--data-dir .carestack] [--api-url http://...]`:
 * asks the running local stack (`npm start`) to redrive its stream failures queues
 * (`POST /_local/redrive`, local/operations.ts) and prints each report. Exits 1 when a batch could
 * not be redriven (no longer in the stream, or it failed again): those stay in the queue.
 *
 * On AWS the same redrive is a function the operator invokes (docs/operations.md, "Audit redrive").
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RedriveReport } from '../lambdas/shared/streams/redrive.js';

const args = process.argv.slice(2);
const value = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

async function main(): Promise<number> {
  const consumer = value('--consumer');
  if (consumer !== undefined && consumer !== 'audit' && consumer !== 'events') {
    console.error(`--consumer must be audit or events; got ${JSON.stringify(consumer)}`);
    return 2;
  }
  let apiUrl = value('--api-url');
  if (!apiUrl) {
    const outputs = path.join(path.resolve(value('--data-dir') ?? '.carestack'), 'outputs.json');
    try {
      apiUrl = (JSON.parse(await readFile(outputs, 'utf8')) as { ApiUrl: string }).ApiUrl;
    } catch {
      console.error(`No ${outputs}: start the local stack first (npm start), or pass --api-url`);
      return 2;
    }
  }
  const res = await fetch(`${apiUrl.replace(/\/$/, '')}/_local/redrive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(consumer ? { consumer } : {}),
  });
  const body = (await res.json()) as { reports?: RedriveReport[] };
  if (!res.ok || !body.reports) {
    console.error(`redrive refused (${res.status}): ${JSON.stringify(body)}`);
    return 1;
  }
  let kept = 0;
  for (const r of body.reports) {
    const records = r.redriven.reduce((n, b) => n + b.records, 0);
    console.log(`${r.consumer}: ${r.redriven.length} batch(es), ${records} record(s) redriven`);
    for (const b of r.unreadable) console.log(`  NOT REDRIVEN (no longer in the stream): ${b.shardId} ${b.first}..${b.last}: ${b.reason}`);
    for (const b of r.failed) console.log(`  NOT REDRIVEN (failed again, kept): ${b.shardId} ${b.first}..${b.last}: ${b.error}`);
    for (const m of r.invalid) console.log(`  NOT A BATCH (kept): message ${m.id}: ${m.reason}`);
    kept += r.unreadable.length + r.failed.length + r.invalid.length;
  }
  return kept > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
