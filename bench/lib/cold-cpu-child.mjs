// One cold start in a fresh Node process, as CPU: process.cpuUsage (user + system) around the
// bundle's import and around its first invocation, with the wall time of each. Prints one line.
const [bundle, eventFile] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { callbackWaitsForEmptyEventLoop: false, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'cold-cpu-1', getRemainingTimeInMillis: () => 10_000 };
const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(bundle);
const c1 = process.cpuUsage();
const t1 = performance.now();
const out = await mod.handler(event, context);
const c2 = process.cpuUsage();
const t2 = performance.now();
process.stdout.write(`\n@@CPU ${JSON.stringify({ importCpu: cpu(c0, c1), invokeCpu: cpu(c1, c2), importMs: t1 - t0, invokeMs: t2 - t1, status: out?.statusCode })}\n`);
process.exit(0);
