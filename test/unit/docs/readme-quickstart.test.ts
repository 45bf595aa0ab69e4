/**
 * The README's "First incident in five commands" stays five commands that exist: each npm command
 * names a script of package.json, the browser line trusts one certificate by its SPKI hash (never
 * every certificate), and it is the line `npm run web` prints (examples/web/vite.config.ts).
 * test/e2e/web-quickstart.test.ts runs the path itself.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

async function quickstartCommands(): Promise<string[]> {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const heading = '## First incident in five commands';
  expect(readme.includes(heading), `README has no "${heading}"`).toBe(true);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))?.[1];
  if (!block) throw new Error(`no bash block after "${heading}"`);
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

describe('README: first incident in five commands', () => {
  it('is at most five commands, and every npm command is a script of package.json', async () => {
    const commands = await quickstartCommands();
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.length).toBeLessThanOrEqual(5);
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const npm = commands.filter((c) => c.startsWith('npm '));
    expect(npm).toEqual(['npm ci', 'npm start', 'npm run web']);
    for (const c of npm.filter((c) => c !== 'npm ci')) expect(pkg.scripts, c).toHaveProperty(c.replace(/^npm (run )?/, ''));
  });

  it("opens the browser trusting the stack's certificate only, as `npm run web` prints it", async () => {
    const browser = (await quickstartCommands()).find((c) => c.startsWith('chromium '));
    expect(browser).toBeDefined();
    expect(browser).toMatch(/--user-data-dir=\S+ --ignore-certificate-errors-spki-list=<hash> http:\/\/localhost:5173\/$/);
    expect(browser).not.toMatch(/--ignore-certificate-errors(\s|$)/);
    const printed = browser!.replace('<hash>', '${hash}').replace('http://localhost:5173/', '${url}');
    const config = await readFile(path.join(root, 'examples/web/vite.config.ts'), 'utf8');
    expect(config).toContain(printed);
  });
});
