/**
 * The client package builds on its own (ESM and declarations, DOM and ES2022 only, as a browser
 * bundle sees it), and a small app (clients/typescript/type-test/app.ts) compiles against the built
 * declarations: typed calls compile, and each misuse marked `@ts-expect-error` is refused (an unused
 * directive is an error too), Amplify's generateClient().graphql() included.
 */
import { execFile } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const pkg = path.join(root, 'clients/typescript');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

const run = (args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) =>
    execFile(process.execPath, [tsc, ...args], { cwd: root }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` })),
  );

describe('@carestack/client types', () => {
  it('builds, and a small app compiles against the build with every misuse refused', { timeout: 300_000 }, async () => {
    await rm(path.join(pkg, 'dist'), { recursive: true, force: true });
    const build = await run(['-p', path.join(pkg, 'tsconfig.json')]);
    expect(build.output).toBe('');
    expect(build.code).toBe(0);
    await access(path.join(pkg, 'dist/index.d.ts'));
    await access(path.join(pkg, 'dist/generated/graphql.js'));

    const app = await run(['-p', path.join(pkg, 'type-test/tsconfig.json')]);
    expect(app.output).toBe('');
    expect(app.code).toBe(0);
  });
});
