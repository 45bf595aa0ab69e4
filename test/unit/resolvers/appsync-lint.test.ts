/**
 * The AppSync resolvers must stay valid APPSYNC_JS (no classes, try, while, regex literals,
 * recursion, disallowed methods, ...): ESLint's Node API with @aws-appsync/eslint-plugin's
 * recommended rules (eslint.config.mjs) over schemas/resolvers/, expecting zero problems.
 */
import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

describe('APPSYNC_JS resolvers', () => {
  it('pass the AppSync ESLint plugin\'s recommended rules with no problem', async () => {
    const files = readdirSync(path.join(root, 'schemas/resolvers')).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const results = await eslint.lintFiles(['schemas/resolvers/']);
    expect(results.map((r) => path.basename(r.filePath)).sort()).toEqual(files.sort());
    const problems = results.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line} ${m.ruleId ?? ''} ${m.message}`));
    expect(problems).toEqual([]);
  }, 60_000);

  it('would catch what APPSYNC_JS refuses', async () => {
    const [result] = await eslint.lintText(
      "export function request(ctx) { try { return /x/.test(ctx.args.a) ? f(1) : null; } catch { return null; } }\nfunction f(n) { return n > 0 ? f(n - 1) : 0; }\n",
      { filePath: path.join(root, 'schemas/resolvers/onMyEvent.js') },
    );
    const rules = new Set(result!.messages.map((m) => m.ruleId));
    expect(rules).toEqual(new Set(['@aws-appsync/no-try', '@aws-appsync/no-regex', '@aws-appsync/no-recursion']));
  }, 60_000);
});
