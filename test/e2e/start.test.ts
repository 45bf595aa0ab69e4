/**
 * `npm start` as a person runs it: it comes up, prints its URLs and logins, writes outputs.json and
 * demo-users.json, keeps state across a restart, and stops every child on SIGTERM.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
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

async function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts', '--data-dir', dataDir], {
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

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
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
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('comes up, writes the two files, survives a restart and stops every child', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'carestack-start-'));
    const first = await start();
    expect(first.output()).toContain('CareStack is running locally.');

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
    let token = await signIn(outputs, coordinator.email, coordinator.password);
    const created = await api(token, 'POST', '/patients', { displayName: 'Kept Across Restarts', medicalRecordNumber: 'SR-7777' });
    expect(created.status).toBe(201);

    expect(javaChildren().length).toBeGreaterThan(0);
    expect(await stop(first.child)).toBe(0);
    expect(javaChildren()).toEqual([]);

    // Restart on the same state: same pool, same users, same data.
    const second = await start();
    const again = JSON.parse(await readFile(path.join(dataDir, 'outputs.json'), 'utf8')) as LocalOutputs;
    expect(again.UserPoolId).toBe(outputs.UserPoolId);
    token = await signIn(again, coordinator.email, coordinator.password);
    const patient = await apiClient(again)(token, 'GET', `/patients/${created.body.id}`);
    expect(patient.status).toBe(200);
    expect(patient.body.medicalRecordNumber).toBe('SR-7777');
    expect(await stop(second.child)).toBe(0);
    expect(javaChildren()).toEqual([]);
  });
});
