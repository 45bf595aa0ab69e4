/** Parent side of lib/stack-child.ts: fork it, talk to it over IPC, stop it. */
import { fork, type ChildProcess } from 'node:child_process';
import { fromRoot } from '../../lib/paths.js';
import type { DemoUsers } from '../../local/seed.js';
import type { LocalOutputs } from '../../local/stack.js';
import type { CapacityTotals, CapturedCall } from './stack-child.js';

export interface StackProcess {
  outputs: LocalOutputs;
  demoUsers: DemoUsers;
  pid: number;
  capacityReset(): Promise<void>;
  capacityRead(): Promise<CapacityTotals>;
  captureStart(): Promise<void>;
  captureStop(): Promise<CapturedCall[]>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStackProcess(opts: { dynamodbEndpoint: string; tableName: string }): Promise<StackProcess> {
  const child: ChildProcess = fork(fromRoot('bench/lib/stack-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DYNAMODB_ENDPOINT: opts.dynamodbEndpoint, BENCH_TABLE_NAME: opts.tableName, NODE_NO_WARNINGS: '1', POWERTOOLS_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const ready = new Promise<{ outputs: LocalOutputs; demoUsers: DemoUsers }>((resolve, reject) => {
    pending.set(0, { resolve: (v) => resolve(v as { outputs: LocalOutputs; demoUsers: DemoUsers }), reject });
    child.once('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`bench stack process exited (${code})`));
      pending.clear();
    });
  });
  child.on('message', (m: { id: number; payload: unknown }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.payload && typeof m.payload === 'object' && 'error' in m.payload) p.reject(new Error(String(m.payload.error)));
    else p.resolve(m.payload);
  });
  const call = <T>(cmd: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ id, cmd });
    });
  let started: { outputs: LocalOutputs; demoUsers: DemoUsers };
  try {
    started = await ready;
  } catch (err) {
    if (!exited) child.kill('SIGTERM');
    throw err;
  }
  return {
    ...started,
    pid: child.pid!,
    capacityReset: () => call('capacity:reset'),
    capacityRead: () => call('capacity:read'),
    captureStart: () => call('capture:start'),
    captureStop: () => call('capture:stop'),
    settle: () => call('settle'),
    stop: async () => {
      if (exited) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await call('stop').catch(() => undefined);
      await exit;
      clearTimeout(timer);
    },
  };
}
