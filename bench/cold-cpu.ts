/**
 * `npx tsx bench/cold-cpu.ts`: the CPU a cold start spends, import and first invocation apart, for
 * some API functions and the floor, optionally against another checkout of the project (the same
 * functions built from its sources), in alternating fresh processes. CPU time (process.cpuUsage)
 * moves much less than wall time on a shared machine, so a change of a few milliseconds in what a
 * cold start evaluates can be read here when the bundles section's cold ratios (+-0.3) cannot.
 *
 *   npx tsx bench/cold-cpu.ts --functions=concierge,homeHealth,respite --runs=25 [--against=/path/to/other/checkout]
 *
 * Each function is bundled as the bundles section does (CARE_FUNCTION_BUNDLING), started with the
 * environment the synthesised CDK app gives it, against the local AWS stub, and called with the
 * bundles section's GET (an admin). Prints p50 of import CPU, first-invocation CPU, their sum (and
 * its p25), and the wall time of both.
 */
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { FUNCTIONS, type FunctionId } from '../lambdas/functions.js';
import { CARE_FUNCTION_BUNDLING, CARE_FUNCTION_RUNTIME } from '../lib/constructs/care-function.js';
import { fromRoot } from '../lib/paths.js';
import { apiEventFor, cdkEnvironments, lambdaEnv } from './bundles.js';
import { startAwsStub } from './lib/aws-stub.js';
import { median, percentile } from './lib/stats.js';

const run = promisify(execFile);
const arg = (name: string) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const runs = Number(arg('runs') ?? 25);
const functions = (arg('functions') ?? 'concierge,homeHealth,respite').split(',') as FunctionId[];
const against = arg('against');
const OUT = fromRoot('bench/.work/cold-cpu');
const FLOOR_ENTRY = 'bench/floor/handler.ts';

async function build(root: string, entry: string, outfile: string): Promise<number> {
  const b = CARE_FUNCTION_BUNDLING;
  const [aliasName, aliasTarget] = b.esbuildArgs['--alias'].split('=') as [string, string];
  await esbuild.build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    target: CARE_FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1'),
    platform: 'node',
    format: 'esm',
    outfile,
    minify: b.minify,
    external: [...b.externalModules],
    mainFields: [...b.mainFields],
    banner: { js: b.banner },
    // The alias names this checkout's credential module; the other checkout's is at the same place in it.
    alias: { [aliasName]: path.join(root, path.relative(fromRoot('.'), aliasTarget)) },
    logLevel: 'error',
    absWorkingDir: root,
  });
  return (await stat(outfile)).size;
}

interface Job {
  label: string;
  file: string;
  eventFile: string;
  env: Record<string, string>;
  bytes: number;
  samples: { importCpu: number[]; invokeCpu: number[]; totalCpu: number[]; totalMs: number[] };
}

const envs = cdkEnvironments();
const stub = await startAwsStub();
const jobs: Job[] = [];
const trees: Array<[string, string]> = [['this checkout', fromRoot('.')], ...(against ? [['--against', path.resolve(against)] as [string, string]] : [])];
try {
  await mkdir(OUT, { recursive: true });
  const targets: Array<{ id: string; entry: string; env: Record<string, string>; event: unknown }> = [
    { id: 'floor', entry: FLOOR_ENTRY, env: lambdaEnv('floor', { NODE_OPTIONS: '--enable-source-maps', TABLE_NAME: 'bench-table-name' }, stub.url), event: apiEventFor('identity') },
    ...functions.map((id) => {
      const def = FUNCTIONS[id];
      const cdkEnv = envs.get(def.description);
      if (!cdkEnv) throw new Error(`cold-cpu: function ${id} not found in the synthesised app`);
      return { id, entry: def.entry, env: lambdaEnv(id, cdkEnv, stub.url), event: apiEventFor(id) };
    }),
  ];
  for (const t of targets) {
    const eventFile = path.join(OUT, `${t.id}.event.json`);
    await writeFile(eventFile, JSON.stringify(t.event));
    for (const [tree, root] of t.id === 'floor' ? trees.slice(0, 1) : trees) {
      const file = path.join(OUT, `${t.id}-${tree === 'this checkout' ? 'this' : 'against'}.mjs`);
      const bytes = await build(root, t.entry, file);
      jobs.push({ label: `${t.id} (${tree})`, file, eventFile, env: t.env, bytes, samples: { importCpu: [], invokeCpu: [], totalCpu: [], totalMs: [] } });
    }
  }
  const once = async (j: Job) => {
    const { stdout } = await run(process.execPath, [fromRoot('bench/lib/cold-cpu-child.mjs'), j.file, j.eventFile], { env: j.env, maxBuffer: 16 * 1024 * 1024 });
    const line = stdout.split('\n').find((l) => l.startsWith('@@CPU '));
    if (!line) throw new Error(`${j.label} printed no result`);
    const r = JSON.parse(line.slice(6)) as { importCpu: number; invokeCpu: number; importMs: number; invokeMs: number; status: number };
    if (r.status !== 200) throw new Error(`${j.label} answered ${r.status}`);
    return r;
  };
  for (const j of jobs) await once(j); // warm the file cache; not counted
  for (let i = 0; i < runs; i++) {
    for (const j of jobs) {
      const r = await once(j);
      j.samples.importCpu.push(r.importCpu);
      j.samples.invokeCpu.push(r.invokeCpu);
      j.samples.totalCpu.push(r.importCpu + r.invokeCpu);
      j.samples.totalMs.push(r.importMs + r.invokeMs);
    }
  }
} finally {
  await stub.close();
}
const f = (n: number) => n.toFixed(1);
console.log(`${runs} cold starts each, alternating; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(', ')}`);
console.log('| function | bundle KB | import CPU p50 ms | first invocation CPU p50 ms | import + first CPU p50 ms (p25) | import + first wall p50 ms |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const j of jobs) {
  const s = j.samples;
  console.log(`| ${j.label} | ${f(j.bytes / 1024)} | ${f(median(s.importCpu))} | ${f(median(s.invokeCpu))} | ${f(median(s.totalCpu))} (${f(percentile([...s.totalCpu].sort((a, b) => a - b), 25))}) | ${f(median(s.totalMs))} |`);
}
