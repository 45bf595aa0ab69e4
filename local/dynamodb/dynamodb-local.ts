/**
 * Starts Amazon's DynamoDB Local (Java) as a child process and stops it again.
 *
 * The child never outlives us: on Unix, java runs under a small `sh` guard that kills it as soon
 * as our end of its stdin pipe closes, which happens however this process ends (even SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureDynamoDbLocal } from './ensure-jar.js';

export interface StartDynamoDbLocalOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Folder that holds the database file, so data survives a restart.
   * @default - in memory (`-inMemory`): everything is lost on stop
   */
  readonly dbPath?: string;
  /**
   * How long to wait for the first successful ListTables.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Stops the process and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Region and credentials for clients of DynamoDB Local. With `-sharedDb` they do not matter. */
export const DYNAMODB_LOCAL_REGION = 'local';
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const JAVA_MISSING = 'Java 17+ is required for DynamoDB Local: install openjdk-17-jre-headless';
const OUTPUT_LIMIT = 16 * 1024;

// Under sh, java gets /dev/null as stdin; a background `cat` holds our pipe (as fd 3, because sh
// gives background jobs /dev/null as stdin) and kills java on EOF.
const GUARD_SCRIPT = [
  'command -v java >/dev/null 2>&1 || exit 127',
  'exec 3<&0',
  'java "$@" </dev/null 3<&- &',
  'java_pid=$!',
  '(cat <&3 >/dev/null; kill "$java_pid" 2>/dev/null) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$java_pid"',
].join('\n');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts DynamoDB Local with `-sharedDb` and resolves once it answers ListTables. */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const { jarPath, libPath } = await ensureDynamoDbLocal();

  const requested = options.port ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new Error(`DynamoDB Local: invalid port ${requested}`);
  }
  const port = requested === 0 ? await freePort() : requested;
  if (requested !== 0 && !(await portIsFree(port))) {
    throw new Error(`DynamoDB Local: port ${port} is in use`);
  }

  const storage = options.dbPath ? ['-dbPath', path.resolve(options.dbPath)] : ['-inMemory'];
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const javaArgs = [
    // Quick start over peak speed: C1 only and the serial collector start about twice as fast
    // (measured 2.3-3.5 s against 3.7-7.5 s on a busy 2-CPU machine) and use less memory.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${libPath}`,
    '-jar',
    jarPath,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry', // it would otherwise phone home
    ...storage,
  ];
  // It drops dynamodb-local-metadata.json into its working folder: keep that out of the caller's.
  const cwd = options.dbPath ? path.resolve(options.dbPath) : path.dirname(jarPath);

  const guarded = process.platform !== 'win32';
  const child: ChildProcess = guarded
    ? spawn('sh', ['-c', GUARD_SCRIPT, 'dynamodb-local', ...javaArgs], {
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so a last-resort kill reaches java too
      })
    : spawn('java', javaArgs, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Our end of stdin must never throw when the guard has gone.
  child.stdin?.on('error', () => undefined);

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      if (child.pid === undefined) resolve();
    });
  });

  const killGroup = (signal: NodeJS.Signals) => {
    if (exitInfo || child.pid === undefined) return;
    try {
      if (guarded) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.once('exit', onParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (guarded) child.stdin?.end(); // the guard kills java and exits after it
      else child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', onParentExit);
    })();
    return stopping;
  };

  const failure = (reason: string) => {
    const tail = output.trim() ? `\n--- DynamoDB Local output ---\n${output.trim()}` : '';
    return new Error(`DynamoDB Local did not start: ${reason}${tail}`);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: DYNAMODB_LOCAL_REGION,
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (spawnError?.code === 'ENOENT') throw new Error(JAVA_MISSING);
      if (spawnError) throw failure(spawnError.message);
      if (exitInfo) {
        if (exitInfo.code === 127) throw new Error(JAVA_MISSING);
        throw failure(`the process exited (code ${exitInfo.code}, signal ${exitInfo.signal})`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return { endpoint, port, stop };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw failure(`no answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms`);
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}
