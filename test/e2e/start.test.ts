/**
 * `npm start` as a person (or a process manager) runs it: the npm process itself is started; it comes
 * up on the project's Node (24, Lambda's), prints its URLs and logins, writes outputs.json and
 * demo-users.json, keeps state across a restart, and stops every child on SIGINT or SIGTERM sent to
 * that npm process.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoUsers } from '../../local/seed.js';
import type { LocalOutputs } from '../../local/stack.js';
import { apiClient, signIn } from '../support/client.js';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
const children: ChildProcess[] = [];

/** npm's own CLI, as a person runs it (npm_execpath when this test itself runs under npm or npx). */
function npmCli(): string {
  return process.env.npm_execpath ?? execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
}

async function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [npmCli(), 'start', '--', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, CARESTACK_API_PORT: '0', CARESTACK_COGNITO_PORT: '0', CARESTACK_GRAPHQL_PORT: '0', CARESTACK_GRAPHQL_TLS_PORT: '0', CARESTACK_DYNAMODB_PORT: '0', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${out}`)), 90_000);
    const check = () => {
      if (out.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
  return { child, output: () => out };
}

/** `npm run -s token -- <args>` as the README runs it: stdout, stderr and the exit code. */
function npmToken(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [npmCli(), 'run', '-s', 'token', '--', ...args, '--data-dir', dataDir], { cwd: root }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Signals the npm process (not its child) and resolves with how it ended. */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  child.kill(signal);
  return exited;
}

/** The stack's Node process (npm's child) for this data dir, if still running. */
function stackProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'local/start.ts'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dataDir));
  } catch {
    return [];
  }
}

/** DynamoDB Local processes started for this data dir (its dbPath is inside it). */
function javaChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dataDir));
  } catch {
    return [];
  }
}

afterAll(async () => {
  // After a failure: ask npm to stop the stack (it forwards SIGTERM), then kill what is left of this
  // test's own processes (found by its data dir) so nothing outlives the test.
  for (const c of children.filter((c) => c.exitCode === null && c.signalCode === null)) {
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  for (const line of [...stackProcesses(), ...javaChildren()]) {
    const pid = Number(line.split(' ')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('comes up, writes the two files, survives a restart and stops every child', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'carestack-start-'));
    const first = await start();
    expect(first.output()).toContain('CareStack is running locally.');
    // The project's Node (the node-linux-* package npm puts first on the script's PATH), not the machine's.
    expect(first.output()).toMatch(/Node {12}v24\.\d+\.\d+ /);
    expect(first.output()).not.toMatch(/NodeVersionWarning|no longer support Node/i);

    const outputs = JSON.parse(await readFile(path.join(dataDir, 'outputs.json'), 'utf8')) as LocalOutputs;
    expect(Object.keys(outputs).sort()).toEqual(
      ['ApiUrl', 'CognitoEndpoint', 'GraphqlUrl', 'PlainGraphqlUrl', 'PlainRealtimeUrl', 'RealtimeUrl', 'Region', 'UserPoolClientId', 'UserPoolId'].sort(),
    );
    // As Amplify needs them: https GraphQL whose /realtime is wss; plain ws:// still there.
    expect(outputs.GraphqlUrl).toMatch(/^https:\/\/[^/]+:\d+\/graphql$/);
    expect(outputs.RealtimeUrl).toBe(`${outputs.GraphqlUrl.replace(/^https/, 'wss')}/realtime`);
    expect(outputs.PlainRealtimeUrl).toBe(`${outputs.PlainGraphqlUrl.replace(/^http/, 'ws')}/realtime`);
    expect(first.output()).toContain(path.join(dataDir, 'tls', 'localhost-cert.pem'));
    const demo = JSON.parse(await readFile(path.join(dataDir, 'demo-users.json'), 'utf8')) as DemoUsers;
    expect(demo.users.map((u) => u.role).sort()).toEqual(['admin', 'aide', 'clinician', 'compliance', 'coordinator', 'family', 'patient']);
    expect(demo.otherOrg.users.map((u) => u.role)).toEqual(expect.arrayContaining(['admin', 'coordinator']));
    expect(demo.otherOrg.orgId).not.toBe(demo.orgId);
    for (const u of demo.users) expect(first.output()).toContain(u.email);

    const api = apiClient(outputs);
    const coordinator = demo.users.find((u) => u.role === 'coordinator')!;
    // `npm run token`: the ID token alone on stdout, or Cognito's own refusal and exit code 1.
    const printed = await npmToken('coordinator');
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(printed.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    let token = printed.stdout.trim();
    const refused = await npmToken(coordinator.email, '--password', 'not-the-password');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim()).toBe('NotAuthorizedException: Incorrect username or password.');
    const created = await api(token, 'POST', '/patients', { displayName: 'Kept Across Restarts', medicalRecordNumber: 'SR-7777' });
    expect(created.status).toBe(201);

    expect(javaChildren().length).toBeGreaterThan(0);
    expect(stackProcesses().length).toBeGreaterThan(0);
    // What `kill -INT <pid of npm start>` does: npm forwards it to the stack, which stops every part.
    const firstEnd = await stop(first.child, 'SIGINT');
    expect(first.output()).toContain('SIGINT: stopping the local stack...');
    expect(firstEnd).toEqual({ code: 0, signal: null });
    expect(javaChildren()).toEqual([]);
    expect(stackProcesses()).toEqual([]);

    // Restart on the same state: same pool, same users, same data.
    const second = await start();
    const again = JSON.parse(await readFile(path.join(dataDir, 'outputs.json'), 'utf8')) as LocalOutputs;
    expect(again.UserPoolId).toBe(outputs.UserPoolId);
    token = await signIn(again, coordinator.email, coordinator.password);
    const patient = await apiClient(again)(token, 'GET', `/patients/${created.body.id}`);
    expect(patient.status).toBe(200);
    expect(patient.body.medicalRecordNumber).toBe('SR-7777');
    expect(await stop(second.child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain('SIGTERM: stopping the local stack...');
    expect(javaChildren()).toEqual([]);
    expect(stackProcesses()).toEqual([]);
  });
});
