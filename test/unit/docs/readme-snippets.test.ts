/**
 * The README's Amplify snippet runs as written: taken from the README itself, saved as an ES module
 * beside a `.carestack/outputs.json`, and run by this project's Node (no bundler, no TypeScript
 * loader), so a JSON import without `with { type: 'json' }` or a wrong option name fails here.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The fenced block of `lang` that follows `heading` in the README. */
async function snippetAfter(heading: string, lang: string): Promise<string> {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  expect(readme.includes(heading), `README has no "${heading}"`).toBe(true);
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!match) throw new Error(`no \`\`\`${lang} block after "${heading}" in README.md`);
  return match[1]!;
}

describe('README snippets', () => {
  it('the Amplify configuration runs as an ES module and configures Auth, GraphQL and REST from outputs.json', async () => {
    const snippet = await snippetAfter('## Use it from an Amplify app', 'ts');
    dir = await mkdtemp(path.join(tmpdir(), 'carestack-readme-'));
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await mkdir(path.join(dir, '.carestack'));
    const outputs = {
      ApiUrl: 'http://localhost:3000',
      GraphqlUrl: 'https://localhost:4443/graphql',
      RealtimeUrl: 'wss://localhost:4443/graphql/realtime',
      PlainGraphqlUrl: 'http://localhost:4000/graphql',
      PlainRealtimeUrl: 'ws://localhost:4000/graphql/realtime',
      UserPoolId: 'local_abc123',
      UserPoolClientId: 'client123',
      CognitoEndpoint: 'http://localhost:9229',
      Region: 'us-east-1',
    };
    await writeFile(path.join(dir, '.carestack', 'outputs.json'), JSON.stringify(outputs));
    const check = `\nconsole.log(JSON.stringify((await import('aws-amplify')).Amplify.getConfig()));\n`;
    await writeFile(path.join(dir, 'app.mjs'), snippet + check);

    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
      execFile(process.execPath, ['app.mjs'], { cwd: dir }, (error, out, err) => resolve({ stdout: out, stderr: err, code: error ? 1 : 0 })),
    );
    // Amplify's own notice that the pool endpoint is not AWS's is expected; nothing else may be said.
    const said = stderr.split('\n').filter((l) => l.trim() && !/Auth - You are using a custom Amazon (Amazon )?Cognito User Pool endpoint/.test(l));
    expect(said).toEqual([]);
    expect(code).toBe(0);
    const config = JSON.parse(stdout) as { Auth: { Cognito: Record<string, string> }; API: { GraphQL: Record<string, string>; REST: Record<string, { endpoint: string }> } };
    expect(config.Auth.Cognito).toMatchObject({ userPoolId: 'local_abc123', userPoolClientId: 'client123', userPoolEndpoint: 'http://localhost:9229' });
    expect(config.API.GraphQL).toMatchObject({ endpoint: outputs.GraphqlUrl, defaultAuthMode: 'userPool' });
    expect(config.API.REST).toEqual({ carestack: { endpoint: outputs.ApiUrl } });
  });
});
