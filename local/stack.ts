/**
 * The local stack: the same handlers, table definition and route table as the CDK app, wired to
 * local stand-ins (ARCHITECTURE.md, "The local stack"). `local/start.ts` runs it for people; the
 * end-to-end tests start it in-process on free ports.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ROUTES } from '../lambdas/routes.js';
import { apiFunctionOf, type ApiFunctionId } from '../lambdas/domains.js';
import type { ApiHandler } from '../lambdas/shared/http/api.js';
import type { AppSyncFieldEvent } from '../lambdas/shared/http/appsync.js';
import { createAuditHandler } from '../lambdas/audit/app.js';
import { createEventsHandler } from '../lambdas/events/app.js';
import { IdentityRepository } from '../lambdas/identity/repository.js';
import { CognitoUserDirectory } from '../lambdas/identity/user-directory.js';
import { CognitoAdminApi } from '../lambdas/shared/aws/cognito-admin.js';
import { createSignInAuditHandler } from '../lambdas/sign-in-audit/app.js';
import { callerFromClaims } from '../lambdas/shared/auth/caller.js';
import { AccessPolicy } from '../lambdas/shared/auth/policy.js';
import type { Clock } from '../lambdas/shared/clock.js';
import { Db, type DbOptions } from '../lambdas/shared/data/db.js';
import { REALTIME_BUS_RULES } from '../lambdas/shared/events/realtime-rules.js';
import { createLogger } from '../lambdas/shared/logger.js';
import { ROLES } from '../schemas/roles.js';
import { FileAuditSink } from './audit-store.js';
import { careEventFromDetail, createBusPublisher, createLocalBus } from './bus.js';
import { startLocalUserPool } from './cognito/index.js';
import { localOutbox } from './outbox.js';
import { localSignUpTriggers } from './sign-up-triggers.js';
import { cacheVerifiedTokens, createTokenVerifier } from './cognito/token-verifier.js';
import { createTable } from './dynamodb/create-table.js';
import { DYNAMODB_LOCAL_CREDENTIALS, DYNAMODB_LOCAL_REGION, startDynamoDbLocal } from './dynamodb/dynamodb-local.js';
import type { LocalDeps } from './deps.js';
import { buildApiHandlers, LOCAL_BUS_TARGETS, LOCAL_ROUTES, LOCAL_SCHEDULED_TARGET } from './functions.js';
import { createVirtualClock } from './clock.js';
import { createDuckDbAuditEngine } from './duckdb-audit-engine.js';
import { createLocalScheduler } from './scheduler.js';
import { AUDIT_JOURNAL_EXPIRATION_DAYS, AUTHORIZER_RESULTS_CACHE_SECONDS, STAGE_THROTTLING } from '../lib/config.js';
import { auditFaults, eventsFaults, faultsFromEnv, type FaultCounters, type FaultOptions, type Outages } from './faults.js';
import { ALARM_THRESHOLDS } from '../lib/alarm-thresholds.js';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoStreamRangeReader } from '../lambdas/shared/aws/stream-range-reader.js';
import type { RedriveReport } from '../lambdas/shared/streams/redrive.js';
import { evaluateAlarms, operationsRoute, redriveLocal, type LocalAlarm, type OperationsDeps } from './operations.js';
import { LocalFailureQueue, onFailureMessage } from './stream/failures-queue.js';
import type { LocalBus } from './bus.js';
import { lambdaContext, startGateway, type Gateway, type ThrottleOptions } from './gateway.js';
import { loadResolver } from './graphql/resolver-runtime.js';
import { startRealtimeServer } from './realtime/index.js';
import { seedDemo, type DemoUsers } from './seed.js';
import { createStreamPoller } from './stream-poller.js';
import { createTtlSweeper } from './ttl-sweeper.js';
import { createMessagingRetentionHandler } from '../lambdas/messaging/retention.js';
import { LocalAttachmentStore } from './attachment-files.js';
import { ensureLocalCertificate } from './tls.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** GraphQL field (the route's operation) -> the function that serves the route. */
const FIELD_FUNCTIONS = new Map<string, ApiFunctionId>(ROUTES.filter((r) => r.auth).map((r) => [r.operation, apiFunctionOf(r.fn)]));

export interface LocalStackOptions {
  /** Where state lives (`.carestack/`): database, user pool, audit store, outputs. */
  dataDir: string;
  /** Keep the database and the user pool in memory only. @default false */
  inMemory?: boolean;
  /** 0 picks a free port. @default 3000, 9229, 4000, 8000; graphqlTls 4443 */
  ports?: { api?: number; cognito?: number; graphql?: number; dynamodb?: number; graphqlTls?: number };
  /**
   * Also serve GraphQL and realtime over TLS (self-signed certificate under `<dataDir>/tls/`), and
   * give those URLs as `GraphqlUrl`/`RealtimeUrl` (what Amplify needs: it always connects with
   * wss://); plain HTTP stays at `PlainGraphqlUrl`/`PlainRealtimeUrl`. @default false
   */
  tls?: boolean;
  /** Use this running DynamoDB Local instead of starting one (tests share one). */
  dynamodbEndpoint?: string;
  /** @default 'carestack' */
  tableName?: string;
  /** Seed the two demo orgs and write demo-users.json. @default true */
  seed?: boolean;
  /** @default ['*'] — any origin, for local web development. */
  corsAllowOrigins?: readonly string[] | '*';
  clock?: Clock;
  /** Quiet the handlers' JSON logs (tests). @default false */
  quiet?: boolean;
  /** Options of the stack's Db (the benchmark records consumed capacity). @default {} */
  dbOptions?: DbOptions;
  /** Called with the stack's DynamoDB client before first use (the benchmark adds a middleware). */
  instrumentDynamo?: (client: DynamoDBClient) => void;
  /** Fault injection (tests only; never in the CDK app). @default - CARESTACK_FAULTS_* env vars, else none */
  faults?: FaultOptions;
  /**
   * Per-client throttling of the REST API, 429 `rate_limited` past it; `true` mirrors the CDK
   * stage's values (`STAGE_THROTTLING`). @default false
   */
  throttle?: boolean | ThrottleOptions;
  /**
   * Retries of a failing stream batch before it goes to its consumer's failures queue.
   * @default { audit: 10, events: 5 } — the CDK event source mappings' retryAttempts
   */
  streamRetries?: { audit?: number; events?: number };
  /** GraphQL introspection; false as the prod stage's AppSync API has it. @default true */
  graphqlIntrospection?: boolean;
}

export interface LocalOutputs {
  ApiUrl: string;
  GraphqlUrl: string;
  RealtimeUrl: string;
  UserPoolId: string;
  UserPoolClientId: string;
  Region: string;
  CognitoEndpoint: string;
  /** GraphQL and realtime without TLS (the same as GraphqlUrl/RealtimeUrl when `tls` is off). */
  PlainGraphqlUrl: string;
  PlainRealtimeUrl: string;
}

export interface LocalStack {
  outputs: LocalOutputs;
  /** The self-signed certificate's file, when `tls` is on. */
  certificatePath?: string;
  demoUsers?: DemoUsers;
  dataDir: string;
  /** Serves a REST request in-process, through the same gateway path as HTTP (see Gateway.invoke). */
  invoke: Gateway['invoke'];
  /** Audit batches seen and failed by fault injection (zero without `faults`). */
  faultCounters: FaultCounters;
  /** Switch an audit-store or bus outage on and off (local/faults.ts). */
  outages: Outages;
  /** The stream consumers' failures queues (`StreamAuditFailures`, `StreamEventsFailures` on AWS). */
  failureQueues: { audit: LocalFailureQueue; events: LocalFailureQueue };
  /** What `GET /_local/alarms` answers. */
  alarms(): LocalAlarm[];
  /** What `POST /_local/redrive` does: redrives the named consumer's failures queue (both by default). */
  redrive(consumer?: 'audit' | 'events'): Promise<RedriveReport[]>;
  /** Rules on the local bus (a test watching what the events function published). */
  bus: Pick<LocalBus, 'addRule' | 'removeRule'>;
  /** Resolves once every change so far has reached the audit store and the realtime subscribers. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = path.resolve(options.dataDir);
  const inMemory = options.inMemory ?? false;
  const ports = { api: 3000, cognito: 9229, graphql: 4000, dynamodb: 8000, ...options.ports };
  const tableName = options.tableName ?? 'carestack';
  // The virtual clock (API.md "Local only") and the local EventBridge Scheduler that runs on it.
  const clock = createVirtualClock({ ...(options.clock ? { base: options.clock } : {}), ...(inMemory ? {} : { file: path.join(dataDir, 'clock.json') }) });
  const scheduler = createLocalScheduler({ clock, ...(inMemory ? {} : { file: path.join(dataDir, 'schedules.json') }) });
  const region = 'us-east-1';
  await mkdir(dataDir, { recursive: true });
  if (options.quiet) process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('[local] stop failed', err));
    stops.length = 0;
  };

  try {
    // DynamoDB Local + the table from the same definition as the CDK table.
    let endpoint = options.dynamodbEndpoint;
    if (!endpoint) {
      const ddb = await startDynamoDbLocal({
        port: ports.dynamodb,
        ...(inMemory ? {} : { dbPath: path.join(dataDir, 'dynamodb') }),
      });
      stops.push(() => ddb.stop());
      endpoint = ddb.endpoint;
    }
    const dynamo = new DynamoDBClient({ endpoint, region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS });
    stops.push(async () => dynamo.destroy());
    await createTable(dynamo, tableName);
    options.instrumentDynamo?.(dynamo);
    const db = new Db(dynamo, tableName, options.dbOptions);
    const logger = (name: string) => createLogger(name);

    // The user pool with the CDK pool's triggers: sign-in audit, and sign-up by invitation.
    const signIn = createSignInAuditHandler({ db, clock, logger: logger('sign-in-audit') });
    const outbox = localOutbox({ dataDir, clock });
    // The sign-up triggers call the pool they are given to: a forward reference, set once it has started.
    const poolRef: { current?: { call(op: string, input: Record<string, unknown>): Promise<unknown> } } = {};
    const pool = await startLocalUserPool({
      port: ports.cognito,
      region,
      ...(inMemory ? {} : { stateFile: path.join(dataDir, 'cognito.json') }),
      triggers: localSignUpTriggers({ db, clock, logger, groups: (op, input) => poolRef.current!.call(op, input) }),
      postAuthentication: async (event) => signIn(event),
      deliverCode: async (m) => void (await outbox.add({ channel: 'email', ...m })),
    });
    poolRef.current = pool;
    stops.push(() => pool.stop());
    const { userPoolId, clientId } = await pool.ensurePool('carestack', 'carestack-app');
    for (const role of ROLES) {
      await pool.call('CreateGroup', { UserPoolId: userPoolId, GroupName: role }).catch((err: Error) => {
        if (err.name !== 'GroupExistsException') throw err;
      });
    }
    // The identity function's own Cognito client (signed requests, lambdas/shared/aws/cognito-admin.ts)
    // against the local pool, as on AWS against Cognito.
    const cognito = new CognitoAdminApi({ endpoint: pool.endpoint, region, credentials: DYNAMODB_LOCAL_CREDENTIALS });
    const verifyToken = createTokenVerifier({ issuer: pool.issuer(userPoolId), clientId, jwks: pool.jwks(userPoolId) });

    // Realtime: subscriptions are admitted by the same access policy the REST API uses.
    const people = new IdentityRepository(db);
    const policy = new AccessPolicy(people, people);
    // AppSync's user-pool auth takes the ID or the access token (Amplify sends the access token);
    // both carry the org and patient, put there by the pre-token-generation trigger.
    const verifyRealtimeToken = createTokenVerifier({ issuer: pool.issuer(userPoolId), clientId, jwks: pool.jwks(userPoolId), accept: 'id-or-access' });
    // Built once the bus and scheduler exist (below); the GraphQL endpoint starts before and asks for them per call.
    const handlers: { api?: Record<ApiFunctionId, ApiHandler> } = {};
    const realtimeOptions = {
      verifyToken: verifyRealtimeToken,
      introspection: options.graphqlIntrospection ?? true,
      // The whole AppSync schema: realtime plus one query or mutation per REST route (npm run docs).
      schemaSdl: readFileSync(path.join(ROOT, 'schemas/api.graphql'), 'utf8'),
      // Each generated field runs the shared resolver and invokes the function the gateway
      // invokes for the same route (the handlers exist once the dependencies are built below).
      fields: {
        resolver: loadResolver(path.join(ROOT, 'schemas/resolvers/route.js')),
        invoke: (fieldName: string, payload: unknown) => {
          const fn = FIELD_FUNCTIONS.get(fieldName);
          return fn && handlers.api ? handlers.api[fn](payload as AppSyncFieldEvent, lambdaContext(fn)) : undefined;
        },
      },
      // The server itself filters by org and by patient or recipient, as the AppSync resolvers'
      // subscription filters do; this decides admission only.
      authorizeSubscription: async (claims: Parameters<typeof callerFromClaims>[0], fieldName: string, args: Record<string, unknown>) => {
        const caller = callerFromClaims(claims);
        if (fieldName === 'onMyEvent') return { allowed: true };
        return { allowed: await policy.canSubscribeToPatient(caller, typeof args.patientId === 'string' ? args.patientId : '') };
      },
    };
    const plainRealtime = await startRealtimeServer({ port: ports.graphql, ...realtimeOptions });
    stops.push(() => plainRealtime.stop());
    const certificate = options.tls ? await ensureLocalCertificate(dataDir) : undefined;
    const tlsRealtime = certificate
      ? await startRealtimeServer({ port: ports.graphqlTls ?? 4443, ...realtimeOptions, tls: { key: certificate.key, cert: certificate.cert } })
      : undefined;
    if (tlsRealtime) stops.push(() => tlsRealtime.stop());
    // One publish reaches the subscribers of both listeners.
    const realtimeServers = tlsRealtime ? [plainRealtime, tlsRealtime] : [plainRealtime];
    const realtime = {
      graphqlUrl: (tlsRealtime ?? plainRealtime).graphqlUrl,
      realtimeUrl: (tlsRealtime ?? plainRealtime).realtimeUrl,
      publish: (event: Parameters<typeof plainRealtime.publish>[0]) => realtimeServers.forEach((r) => r.publish(event)),
      revokePatientAccess: (patientId: string, userId: string) => realtimeServers.forEach((r) => r.revokePatientAccess(patientId, userId)),
    };

    // The bus and its two rules, as in the CDK app: every CareStack event -> AppSync publish;
    // CareTeamMemberRemoved -> end that member's patient subscriptions.
    const bus = createLocalBus();
    // Stopping waits for deliveries in flight (after the poller, which feeds the bus, has stopped):
    // a rule target may still be writing files under the data dir (the outbox).
    stops.push(() => bus.drain());
    bus.addRule({
      name: REALTIME_BUS_RULES.publish.name,
      pattern: REALTIME_BUS_RULES.publish.pattern,
      target: async (event) => realtime.publish(careEventFromDetail(event.detail)),
    });
    bus.addRule({
      name: REALTIME_BUS_RULES.revokePatientAccess.name,
      pattern: REALTIME_BUS_RULES.revokePatientAccess.pattern,
      target: async (event) => {
        const d = event.detail as { patientId: string; recipientId: string };
        realtime.revokePatientAccess(d.patientId, d.recipientId);
      },
    });

    // Stream consumers: the audit and events functions, fed real stream batches.
    const auditStore = new FileAuditSink(dataDir);
    // The journal bucket's lifecycle (lib/stateful/stateful-stack.ts): plans expire after 7 days.
    await auditStore.expirePlans(AUDIT_JOURNAL_EXPIRATION_DAYS * 86_400_000);
    const outages: Outages = { audit: false, events: false };
    const faults = auditFaults({ sink: auditStore, journal: auditStore }, faultsFromEnv(options.faults), outages);
    // The mappings' on-failure destinations (lib/stateless/stream-consumers.ts): the batch's position.
    const failuresFile = (name: string) => (inMemory ? undefined : path.join(dataDir, 'stream-failures', `${name}.json`));
    const failureQueues = {
      audit: await LocalFailureQueue.open('StreamAuditFailures', failuresFile('audit')),
      events: await LocalFailureQueue.open('StreamEventsFailures', failuresFile('events')),
    };
    const auditHandler = faults.wrap(createAuditHandler({ sink: faults.sink, journal: faults.journal, logger: logger('audit') }));
    const eventsHandler = createEventsHandler({ publisher: eventsFaults(createBusPublisher(bus), outages), logger: logger('events') });
    // The TTL sweeper is DynamoDB's TTL process; its deletions reach the stream as DynamoDB's own.
    const sweeper = createTtlSweeper({ client: dynamo, tableName, clock, intervalMs: 60_000 });
    // The messaging retention consumer (lambdas/messaging/retention.ts): files deleted after TTL,
    // TTLs re-timed on retention and legal-hold changes. Its mapping's filter on AWS is the
    // handler's own test of each record here.
    const retentionHandler = createMessagingRetentionHandler({
      db,
      files: new LocalAttachmentStore({ root: path.join(dataDir, 'attachments'), baseUrl: () => '', clock }),
      clock,
      logger: logger('messagingRetention'),
    });
    const poller = createStreamPoller({
      endpoint,
      region: DYNAMODB_LOCAL_REGION,
      credentials: DYNAMODB_LOCAL_CREDENTIALS,
      tableName,
      consumers: [
        {
          name: 'audit',
          handler: auditHandler,
          batchSize: 1000,
          maximumBatchingWindowMs: 200,
          maxRetries: options.streamRetries?.audit ?? 10,
        },
        {
          name: 'events',
          handler: eventsHandler,
          batchSize: 100,
          maxRetries: options.streamRetries?.events ?? 5,
        },
        { name: 'messagingRetention', handler: retentionHandler, batchSize: 100, maxRetries: 5 },
      ],
      userIdentityOf: (record) => sweeper.userIdentityOf(record),
      // The retention consumer's failures stay in the poller's list and the log (no redrive queue locally).
      onFailure: async (failure) => {
        if (failure.consumer === 'audit' || failure.consumer === 'events') await failureQueues[failure.consumer].send(onFailureMessage(failure, failure.consumer));
      },
      ...(inMemory ? {} : { checkpointFile: path.join(dataDir, 'stream-checkpoints.json') }),
    });
    await poller.start();
    stops.push(() => poller.stop());
    // The redrive reads failed batches back from the stream, as on AWS (lambdas/shared/streams/redrive.ts).
    const streams = new DynamoDBStreamsClient({ endpoint, region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS });
    stops.push(async () => streams.destroy());
    const operations: OperationsDeps = {
      consumers: [
        { name: 'audit', queue: failureQueues.audit, handler: auditHandler, iteratorAgeThresholdMs: ALARM_THRESHOLDS.auditIteratorAgeMs },
        { name: 'events', queue: failureQueues.events, handler: eventsHandler, iteratorAgeThresholdMs: ALARM_THRESHOLDS.eventsIteratorAgeMs },
      ],
      iteratorAges: () => poller.iteratorAges(),
      reader: new DynamoStreamRangeReader(streams, DYNAMODB_LOCAL_REGION),
      logger,
    };
    sweeper.start();
    stops.push(async () => sweeper.stop());

    // The REST API: same route table, same handlers; local-only routes first.
    let apiUrl = '';
    const deps: LocalDeps = {
      db,
      clock,
      logger,
      directory: new CognitoUserDirectory(cognito, { userPoolId, issuePasswords: true }),
      corsAllowOrigins: ['*'],
      dataDir,
      apiUrl: () => apiUrl,
      scheduler,
      auditEngine: createDuckDbAuditEngine(dataDir),
      sweepTtl: () => sweeper.sweepOnce(),
    };
    // Runs still writing their results would outlive the stack (and its folder).
    stops.push(() => deps.auditEngine.drain());
    // Every schedule fires the scheduled-work function; real time passing fires what is due too.
    scheduler.setTarget(LOCAL_SCHEDULED_TARGET(deps));
    scheduler.start();
    stops.push(() => scheduler.stop());
    for (const target of LOCAL_BUS_TARGETS) {
      const invoke = target.build(deps);
      bus.addRule({ name: target.name, pattern: target.pattern, target: async (event) => void (await invoke(event)) });
    }
    const localRoutes = [...LOCAL_ROUTES.map((build) => build(deps)), operationsRoute(operations)];
    handlers.api = buildApiHandlers(deps);
    const gateway = await startGateway({
      port: ports.api,
      routes: ROUTES,
      handlers: handlers.api,
      verifyToken: cacheVerifiedTokens(verifyToken, { ttlSeconds: AUTHORIZER_RESULTS_CACHE_SECONDS }),
      corsAllowOrigins: options.corsAllowOrigins ?? '*',
      ...(options.throttle ? { throttle: options.throttle === true ? STAGE_THROTTLING : options.throttle } : {}),
      extraRoutes: async (req, res) => {
        for (const route of localRoutes) if (await route(req, res)) return true;
        return false;
      },
    });
    apiUrl = gateway.url;
    stops.push(() => gateway.stop());

    const outputs: LocalOutputs = {
      ApiUrl: gateway.url,
      GraphqlUrl: realtime.graphqlUrl,
      RealtimeUrl: realtime.realtimeUrl,
      UserPoolId: userPoolId,
      UserPoolClientId: clientId,
      Region: region,
      CognitoEndpoint: pool.endpoint,
      PlainGraphqlUrl: plainRealtime.graphqlUrl,
      PlainRealtimeUrl: plainRealtime.realtimeUrl,
    };
    await writeFile(path.join(dataDir, 'outputs.json'), JSON.stringify(outputs, null, 2) + '\n');

    let demoUsers: DemoUsers | undefined;
    if (options.seed ?? true) {
      const file = path.join(dataDir, 'demo-users.json');
      demoUsers = inMemory ? undefined : await readJson<DemoUsers>(file);
      if (!demoUsers) {
        demoUsers = await seedDemo({ db, directory: new CognitoUserDirectory(cognito, { userPoolId, issuePasswords: true }), clock });
        await writeFile(file, JSON.stringify(demoUsers, null, 2) + '\n');
      }
    }

    return {
      outputs,
      ...(certificate ? { certificatePath: certificate.certPath } : {}),
      ...(demoUsers ? { demoUsers } : {}),
      dataDir,
      invoke: (request) => gateway.invoke(request),
      faultCounters: faults.counters,
      outages,
      failureQueues,
      alarms: () => evaluateAlarms(operations),
      redrive: (consumer) => redriveLocal(operations, consumer ? [consumer] : undefined),
      bus: { addRule: (rule) => bus.addRule(rule), removeRule: (name) => bus.removeRule(name) },
      settle: async (timeoutMs = 15_000) => {
        await poller.drain(timeoutMs);
        await bus.drain();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
