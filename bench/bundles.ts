/**
 * Section 3: bundles and cold init. Every function of lambdas/functions.ts is bundled with the
 * options of lib/constructs/care-function.ts (esbuild, the same flags NodejsFunction passes), then
 * started N times in a fresh Node process with the environment the CDK app gives it, against a
 * local AWS stub: load the bundle, serve one invocation.
 *
 * Each figure is read against a floor measured in the same run: bench/floor/handler.ts (the
 * DynamoDB client and one GetItem), bundled the same way. Absolute milliseconds depend on the host
 * and its load; the ratio to the floor does much less. The floor's cold starts alternate with each
 * function's, so both sides of a ratio see the same moments of a shared machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as esbuild from 'esbuild';
import { FUNCTIONS, type FunctionId } from '../lambdas/functions.js';
import { ROUTES } from '../lambdas/routes.js';
import { addCareStack } from '../lib/carestack-app.js';
import { CARE_FUNCTION_BUNDLING, CARE_FUNCTION_RUNTIME } from '../lib/constructs/care-function.js';
import { fromRoot } from '../lib/paths.js';
import { startAwsStub } from './lib/aws-stub.js';
import { median, percentile } from './lib/stats.js';

export interface BundleResult {
  functionId: string;
  kind: string;
  /** The minified bundle Lambda loads (index.mjs). */
  bundleBytes: number;
  bundleGzipBytes: number;
  /** Its source map: read at load time too, since the CDK app sets NODE_OPTIONS=--enable-source-maps. */
  sourceMapBytes: number;
  /** AWS SDK modules left external (loaded from the runtime): none, bundleAwsSDK is true. */
  externalSdkBytes: number;
  /** Bytes of bundle output per package, largest first. */
  topPackages: Array<{ name: string; bytes: number }>;
  firstInvocation: string;
  cold: {
    runs: number;
    /** import() of the bundle. */
    loadMsMedian: number;
    /** The first handler call, SDK initialisation included. */
    invokeMsMedian: number;
    /** load + first invocation: the figure read against the floor's. */
    totalMsMedian: number;
    totalMsP90: number;
    /**
     * CPU (user + system, the whole process) over load and first invocation: the same cold start as
     * `totalMsMedian` in CPU time, which a busy machine moves much less than wall time.
     */
    cpuMsMedian: number;
    /** From process start (Node bootstrap included) to the first response. */
    sinceProcessStartMsMedian: number;
    statuses: string[];
  };
  stubCalls: Record<string, number>;
  /**
   * Our own CPU per warm request (API functions and the floor): after its cold invocation each
   * process serves the same event `invocations` more times, each timed with process.cpuUsage (user +
   * system) around the handler call. `rawP50Us` includes the SDK's work for the DynamoDB calls
   * (serialise, sign, HTTP, parse) against the stub; `ownP50Us` subtracts, per call the route makes,
   * the floor's warm CPU per request (one GetItem and nothing else): what is left is ours (routing,
   * validation, access checks, mapping, logging, middleware).
   */
  warmCpu?: { invocations: number; rawP50Us: number; rawP90Us: number; dynamoCallsPerInvocation: number; ownP50Us?: number };
  /** This function against the floor (bench/floor/handler.ts), whose runs alternated with its own. */
  vsFloor?: {
    /** bundleBytes / the floor's bundleBytes. */
    bundleRatio: number;
    /** cold.totalMsMedian / the median of the floor runs that alternated with this function's. */
    coldRatio: number;
    floorColdMsMedian: number;
    /** cold.cpuMsMedian / the same floor runs' CPU median. */
    coldCpuRatio: number;
    floorColdCpuMsMedian: number;
  };
}

export interface BundlesSection {
  /** The floor itself: its bundle, and its cold starts over the whole section. */
  floor: BundleResult;
  functions: BundleResult[];
}

const FLOOR_ENTRY = 'bench/floor/handler.ts';

const OUT = fromRoot('bench/.work/bundles');

/** Environment variables of each function as the CDK app sets them (tokens become placeholders). */
export function cdkEnvironments(): Map<string, Record<string, string>> {
  const cdkJson = JSON.parse(readFileSync(fromRoot('cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
  const stacks = addCareStack(app);
  const byDescription = new Map<string, Record<string, string>>();
  for (const stack of [stacks.stateful, stacks.stateless]) {
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    for (const fn of Object.values(fns) as Array<{ Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } } }>) {
      const vars = fn.Properties.Environment?.Variables ?? {};
      const env = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : `bench-${k.toLowerCase().replace(/_/g, '-')}`]),
      );
      if (fn.Properties.Description) byDescription.set(fn.Properties.Description, env);
    }
  }
  return byDescription;
}

const ORG = 'bench-org';
const PATIENT = '01HBENCHPATIENT0000000000';

export function apiEventFor(fnId: string): unknown {
  const routes = ROUTES.filter((r) => r.fn === fnId && r.method === 'GET');
  const route = routes.find((r) => r.path === '/patients/{patientId}') ?? routes.find((r) => r.path.includes('{patientId}')) ?? routes[0];
  if (!route) throw new Error(`no GET route for ${fnId}`);
  const params = Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, m[1] === 'patientId' ? PATIENT : '01HBENCHOTHER000000000000']));
  const p = route.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n]!);
  return {
    resource: route.path,
    path: p,
    httpMethod: 'GET',
    headers: { accept: 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    isBase64Encoded: false,
    body: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      protocol: 'HTTP/1.1',
      httpMethod: 'GET',
      path: `/prod${p}`,
      stage: 'prod',
      requestId: 'bench-req-1',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: route.path,
      identity: {},
      authorizer: {
        claims: { sub: 'bench-admin', 'custom:orgId': ORG, 'cognito:groups': 'admin', email: 'admin@bench.test', name: 'Bench Admin' },
      },
    },
  };
}

function streamEvent(count: number): unknown {
  const now = '2025-03-01T10:00:00.000Z';
  return {
    Records: Array.from({ length: count }, (_, i) => {
      const item = {
        PK: `ORG#${ORG}#PAT#${PATIENT}`,
        SK: 'PROFILE',
        id: PATIENT,
        patientId: PATIENT,
        entityType: 'Patient',
        orgId: ORG,
        displayName: 'Ada Lovelace',
        medicalRecordNumber: 'MRN-1',
        isActive: true,
        version: i + 1,
        createdAt: now,
        updatedAt: now,
        updatedBy: 'bench-admin',
        updatedByRoles: ['admin'],
        requestId: `req-${i}`,
        source: 'api',
      };
      return {
        eventID: `evt-${i}`,
        eventName: i === 0 ? 'INSERT' : 'MODIFY',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: 1740823200,
          Keys: marshall({ PK: item.PK, SK: item.SK }),
          NewImage: marshall(item),
          ...(i === 0 ? {} : { OldImage: marshall({ ...item, version: i }) }),
          SequenceNumber: String(100000000000000000000 + i),
          SizeBytes: 400,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      };
    }),
  };
}

/** Each trigger's own event shape; the sign-up ones take a path that needs no invitation in the stub. */
function cognitoEvent(fnId = 'signInAudit'): unknown {
  const base = { version: '1', region: 'us-east-1', userPoolId: 'us-east-1_bench', userName: 'bench-admin', callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'bench-client' } };
  const userAttributes = { sub: 'bench-admin', 'custom:orgId': ORG, email: 'admin@bench.test' };
  if (fnId === 'preSignUp') {
    return { ...base, triggerSource: 'PreSignUp_AdminCreateUser', request: { userAttributes }, response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false } };
  }
  if (fnId === 'postConfirmation') {
    return { ...base, triggerSource: 'PostConfirmation_ConfirmForgotPassword', request: { userAttributes }, response: {} };
  }
  if (fnId === 'tokenClaims') {
    return { ...base, version: '2', triggerSource: 'TokenGeneration_Authentication', request: { userAttributes, groupConfiguration: {} }, response: { claimsAndScopeOverrideDetails: {} } };
  }
  return {
    version: '1',
    triggerSource: 'PostAuthentication_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_bench',
    userName: 'bench-admin',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'bench-client' },
    request: { userAttributes: { sub: 'bench-admin', 'custom:orgId': ORG, email: 'admin@bench.test' }, newDeviceUsed: false },
    response: {},
  };
}

function eventFor(fnId: string, kind: string): unknown {
  if (kind === 'api') return apiEventFor(fnId);
  if (kind === 'stream') return streamEvent(10);
  if (kind === 'cognito-trigger') return cognitoEvent(fnId);
  if (kind === 'scheduled') {
    // An EventBridge Scheduler payload: a missed-dose check (reads the dose; the stub has none).
    return {
      kind: 'dose-missed-check',
      scheduleName: 'bench-missed-check',
      scheduledTime: '2025-03-01T10:00:00Z',
      orgId: ORG,
      patientId: PATIENT,
      medicationId: '01HBENCHMED00000000000000',
      doseId: '01HBENCHDOSE0000000000000',
      scheduledFor: '2025-03-01T09:00:00.000Z',
    };
  }
  // A kind this bench does not know yet: an empty event still loads the code and runs the handler.
  return {};
}

function describeFirstInvocation(kind: string, event: { httpMethod?: string; resource?: string; triggerSource?: string }): string {
  if (kind === 'api') return `${event.httpMethod} ${event.resource} (admin)`;
  if (kind === 'stream') return 'stream batch of 10 records';
  if (kind === 'cognito-trigger') return event.triggerSource === 'PostAuthentication_Authentication' ? 'post-authentication trigger' : `${event.triggerSource} trigger`;
  if (kind === 'scheduled') return 'scheduled missed-dose check';
  return `empty ${kind} event`;
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  return input.startsWith('lambdas/') || input.startsWith('schemas/') ? `app:${input.split('/').slice(0, 2).join('/')}` : input;
}

/** esbuild's `alias` option from the CLI form NodejsFunction is given (`--alias` -> `name=path`). */
function aliasesOf(args: Readonly<Record<string, string>>): Record<string, string> {
  const value = args['--alias'];
  if (!value) return {};
  const [name, target] = value.split('=') as [string, string];
  return { [name]: target };
}

async function build(name: string, entry: string): Promise<{ file: string; bytes: number; gzip: number; mapBytes: number; top: BundleResult['topPackages'] }> {
  const outfile = path.join(OUT, name, 'index.mjs');
  const b = CARE_FUNCTION_BUNDLING;
  // The flags NodejsFunction passes to esbuild (aws-lambda-nodejs/lib/bundling.js).
  const result = await esbuild.build({
    entryPoints: [fromRoot(entry)],
    bundle: true,
    target: CARE_FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1'),
    platform: 'node',
    format: b.format === OutputFormat.ESM ? 'esm' : 'cjs',
    outfile,
    minify: b.minify,
    sourcemap: b.sourceMap,
    sourcesContent: b.sourcesContent,
    external: [...b.externalModules],
    mainFields: [...b.mainFields],
    banner: { js: b.banner },
    alias: aliasesOf(b.esbuildArgs),
    metafile: true,
    logLevel: 'error',
    absWorkingDir: fromRoot('.'),
  });
  const code = await readFile(outfile);
  const mapBytes = (await stat(`${outfile}.map`)).size;
  const perPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      perPackage.set(packageOf(input), (perPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const top = [...perPackage.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8);
  await writeFile(path.join(OUT, name, 'meta.json'), JSON.stringify(result.metafile));
  return { file: outfile, bytes: code.length, gzip: gzipSync(code).length, mapBytes, top };
}

function coldRun(file: string, eventFile: string, env: Record<string, string>, warm = 0): Promise<{ loadMs: number; invokeMs: number; totalMs: number; coldCpuMs: number; sinceProcessStartMs: number; status: string; warmCpuUs: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fromRoot('bench/lib/cold-child.mjs'), file, eventFile], { env: { ...env, BENCH_WARM_INVOCATIONS: String(warm) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('@@COLD '));
      if (!line) return reject(new Error(`cold start of ${file} printed no result: ${err.slice(0, 500)}`));
      resolve(JSON.parse(line.slice(7)) as { loadMs: number; invokeMs: number; totalMs: number; coldCpuMs: number; sinceProcessStartMs: number; status: string; warmCpuUs: number[] });
    });
  });
}

/** What Lambda's runtime sets, plus the function's own variables, plus the stub as every endpoint. */
export function lambdaEnv(name: string, own: Record<string, string>, stubUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-session',
    AWS_LAMBDA_FUNCTION_NAME: `carestack-dev-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: `AWS_Lambda_${CARE_FUNCTION_RUNTIME.name}`,
    TZ: ':UTC',
    ...own,
    AWS_ENDPOINT_URL: stubUrl,
  };
}

type ColdRun = Awaited<ReturnType<typeof coldRun>>;

function coldSummary(runs: readonly ColdRun[]): BundleResult['cold'] {
  const totals = runs.map((r) => r.totalMs).sort((a, b) => a - b);
  return {
    runs: runs.length,
    loadMsMedian: median(runs.map((r) => r.loadMs)),
    invokeMsMedian: median(runs.map((r) => r.invokeMs)),
    totalMsMedian: median(totals),
    totalMsP90: percentile(totals, 90),
    cpuMsMedian: median(runs.map((r) => r.coldCpuMs)),
    sinceProcessStartMsMedian: median(runs.map((r) => r.sinceProcessStartMs)),
    statuses: [...new Set(runs.map((r) => r.status))],
  };
}

function warmCpuOf(runs: readonly ColdRun[], stubCallCount: number): BundleResult['warmCpu'] {
  const samples = runs.flatMap((r) => r.warmCpuUs).sort((a, b) => a - b);
  if (!samples.length) return undefined;
  const invocations = runs.length + samples.length;
  return { invocations: samples.length, rawP50Us: median(samples), rawP90Us: percentile(samples, 90), dynamoCallsPerInvocation: stubCallCount / invocations };
}

/**
 * @param functions which functions to measure: ids, or `api` for every API function
 *   (@default - all of lambdas/functions.ts)
 * @param warm warm invocations after each cold one, for the CPU figure (API functions and the floor)
 */
export async function runBundles(opts: { runs: number; log: (s: string) => void; functions?: readonly string[]; warm?: number }): Promise<BundlesSection> {
  const warm = opts.warm ?? 0;
  await mkdir(OUT, { recursive: true });
  opts.log('bundles: synthesising the CDK app (no asset bundling) for each function\'s environment');
  const envs = cdkEnvironments();
  const stub = await startAwsStub();
  // Its own stub, so the floor's calls never count as a function's.
  const floorStub = await startAwsStub();
  const results: BundleResult[] = [];
  try {
    // The floor is the least API function: it answers the route API functions are measured on.
    const floorBuilt = await build('floor', FLOOR_ENTRY);
    const floorEvent = apiEventFor('identity');
    const floorEventFile = path.join(OUT, 'floor', 'event.json');
    await writeFile(floorEventFile, JSON.stringify(floorEvent));
    // NODE_OPTIONS as the CDK app sets it for every function: source maps are read at load.
    const floorEnv = lambdaEnv('floor', { NODE_OPTIONS: '--enable-source-maps', TABLE_NAME: 'bench-table-name' }, floorStub.url);
    await coldRun(floorBuilt.file, floorEventFile, floorEnv); // warm the file cache; not counted
    floorStub.calls.clear();
    const allFloorRuns: ColdRun[] = [];

    const selected = (Object.entries(FUNCTIONS) as Array<[FunctionId, (typeof FUNCTIONS)[FunctionId]]>).filter(
      ([fnId, def]) => !opts.functions || opts.functions.includes(fnId) || (opts.functions.includes('api') && def.kind === 'api'),
    );
    for (const [fnId, def] of selected) {
      const built = await build(fnId, def.entry);
      const eventFile = path.join(OUT, fnId, 'event.json');
      await writeFile(eventFile, JSON.stringify(eventFor(fnId, def.kind)));
      const cdkEnv = envs.get(def.description);
      if (!cdkEnv) throw new Error(`bench: function ${fnId} not found in the synthesised app`);
      const env = lambdaEnv(fnId, cdkEnv, stub.url);
      stub.calls.clear();
      await coldRun(built.file, eventFile, env); // warm the file cache; not counted
      stub.calls.clear();
      const runs: ColdRun[] = [];
      const floorRuns: ColdRun[] = [];
      const fnWarm = def.kind === 'api' ? warm : 0;
      for (let i = 0; i < opts.runs; i++) {
        floorRuns.push(await coldRun(floorBuilt.file, floorEventFile, floorEnv, warm));
        runs.push(await coldRun(built.file, eventFile, env, fnWarm));
      }
      allFloorRuns.push(...floorRuns);
      const cold = coldSummary(runs);
      const floorColdMsMedian = median(floorRuns.map((r) => r.totalMs));
      const floorColdCpuMsMedian = median(floorRuns.map((r) => r.coldCpuMs));
      const result: BundleResult = {
        functionId: fnId,
        kind: def.kind,
        bundleBytes: built.bytes,
        bundleGzipBytes: built.gzip,
        sourceMapBytes: built.mapBytes,
        externalSdkBytes: 0,
        topPackages: built.top,
        firstInvocation: describeFirstInvocation(def.kind, JSON.parse(await readFile(eventFile, 'utf8')) as { httpMethod?: string; resource?: string }),
        cold,
        stubCalls: Object.fromEntries([...stub.calls].map(([k, v]) => [k, v / (runs.length * (1 + fnWarm))])),
        ...(fnWarm ? { warmCpu: warmCpuOf(runs, [...stub.calls.values()].reduce((a, b) => a + b, 0)) } : {}),
        vsFloor: {
          bundleRatio: built.bytes / floorBuilt.bytes,
          coldRatio: cold.totalMsMedian / floorColdMsMedian,
          floorColdMsMedian,
          coldCpuRatio: cold.cpuMsMedian / floorColdCpuMsMedian,
          floorColdCpuMsMedian,
        },
      };
      opts.log(
        `bundles: ${fnId} ${(built.bytes / 1024).toFixed(1)} KB (${result.vsFloor!.bundleRatio.toFixed(2)}x floor), cold ${cold.totalMsMedian.toFixed(1)} ms (${result.vsFloor!.coldRatio.toFixed(2)}x floor ${floorColdMsMedian.toFixed(1)} ms; load ${cold.loadMsMedian.toFixed(1)} + first ${cold.invokeMsMedian.toFixed(1)})` +
          `${result.warmCpu ? `, warm CPU p50 ${(result.warmCpu.rawP50Us / 1000).toFixed(2)} ms raw (${result.warmCpu.dynamoCallsPerInvocation.toFixed(1)} DynamoDB calls)` : ''} (${cold.statuses.join(',')})`,
      );
      results.push(result);
    }

    const floor: BundleResult = {
      functionId: 'floor',
      kind: 'floor',
      bundleBytes: floorBuilt.bytes,
      bundleGzipBytes: floorBuilt.gzip,
      sourceMapBytes: floorBuilt.mapBytes,
      externalSdkBytes: 0,
      topPackages: floorBuilt.top,
      firstInvocation: `${describeFirstInvocation('api', floorEvent as { httpMethod?: string; resource?: string })}: one GetItem`,
      cold: coldSummary(allFloorRuns),
      stubCalls: Object.fromEntries([...floorStub.calls].map(([k, v]) => [k, v / (allFloorRuns.length * (1 + warm))])),
      ...(warm ? { warmCpu: warmCpuOf(allFloorRuns, [...floorStub.calls.values()].reduce((a, b) => a + b, 0)) } : {}),
    };
    // Our own CPU: the raw figure less the floor's CPU per DynamoDB call, once per call the route made.
    const perCall = floor.warmCpu && floor.warmCpu.dynamoCallsPerInvocation > 0 ? floor.warmCpu.rawP50Us / floor.warmCpu.dynamoCallsPerInvocation : undefined;
    for (const r of results) {
      if (r.warmCpu && perCall !== undefined) r.warmCpu.ownP50Us = Math.max(0, r.warmCpu.rawP50Us - perCall * r.warmCpu.dynamoCallsPerInvocation);
    }
    opts.log(`bundles: floor ${(floor.bundleBytes / 1024).toFixed(1)} KB, cold ${floor.cold.totalMsMedian.toFixed(1)} ms over ${allFloorRuns.length} runs (${floor.cold.statuses.join(',')})`);
    return { floor, functions: results };
  } finally {
    await stub.close();
    await floorStub.close();
  }
}
