// One cold start: a fresh Node process loads a function's bundle and serves one invocation.
// Plain JavaScript, so nothing but the bundle itself is loaded. Prints one JSON line: wall times of
// the import and the first invocation, and the process's CPU over both.
// With BENCH_WARM_INVOCATIONS=N it then serves the same event N more times (warm) and reports the
// CPU time of each (process.cpuUsage, user + system, microseconds) around the handler call.
const [bundle, eventFile] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const warm = Number(process.env.BENCH_WARM_INVOCATIONS ?? 0);
delete process.env.BENCH_WARM_INVOCATIONS;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '512',
  awsRequestId: 'bench-cold-1',
  logGroupName: 'bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
};
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(bundle);
const t1 = performance.now();
let status = 'ok';
try {
  const out = await mod.handler(event, context);
  if (out && typeof out === 'object' && 'statusCode' in out) status = String(out.statusCode);
  if (out && typeof out === 'object' && Array.isArray(out.batchItemFailures) && out.batchItemFailures.length) status = 'partial-failure';
} catch (err) {
  status = `error: ${err instanceof Error ? err.message : String(err)}`;
}
const t2 = performance.now();
// CPU of the process (user + system) over import and first invocation: steadier than wall time on a
// shared machine, where another process can take the core for a while.
const cold = process.cpuUsage(c0);
const coldCpuMs = (cold.user + cold.system) / 1000;
const warmCpuUs = [];
for (let i = 0; i < warm; i++) {
  const before = process.cpuUsage();
  try {
    await mod.handler(structuredClone(event), { ...context, awsRequestId: `bench-warm-${i}` });
  } catch {
    // The cold call's status already says whether this event succeeds.
  }
  const d = process.cpuUsage(before);
  warmCpuUs.push(d.user + d.system);
}
process.stdout.write(`\n@@COLD ${JSON.stringify({ loadMs: t1 - t0, invokeMs: t2 - t1, totalMs: t2 - t0, coldCpuMs, sinceProcessStartMs: t2, status, warmCpuUs })}\n`);
process.exit(0);
