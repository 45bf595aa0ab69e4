/**
 * Every `npm run audit` example in README.md and docs/ names its org, as Athena requires, and runs
 * on the local engine (as the operator, or as the officer `--as` names), so no documented query
 * works in one place and fails in the other.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditObjectKey } from '../../../lambdas/shared/audit/audit-event.js';
import { checkOrgScope } from '../../../lambdas/shared/audit/org-condition.js';
import { queryAuditChecked } from '../../../local/audit-query.js';
import { fromRoot } from '../../../lib/paths.js';

/** The demo officers of the docs' examples and their orgs (local/seed.ts). */
const OFFICERS: Record<string, string> = { 'compliance@sunrise.example': 'sunrise-care' };

/** Splits a shell command line into words: '...' literal, "..." with \" and \\ escapes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; line[i] !== '"'; i++) word += line[i] === '\\' && ['"', '\\', '$', '`'].includes(line[i + 1]!) ? line[++i] : line[i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

async function examples(): Promise<Array<{ file: string; sql: string; as?: string }>> {
  const files = ['README.md', 'docs/audit.md'];
  const found: Array<{ file: string; sql: string; as?: string }> = [];
  for (const file of files) {
    for (const line of (await readFile(fromRoot(file), 'utf8')).split('\n')) {
      if (!line.startsWith('npm run audit -- ')) continue;
      const words = shellWords(line).slice(4);
      const as = words.includes('--as') ? words[words.indexOf('--as') + 1] : undefined;
      found.push({ file, sql: words.at(-1)!, ...(as ? { as } : {}) });
    }
  }
  return found;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'audit-examples-'));
  const row = {
    event_id: 'e1', at: '2026-11-21T09:00:00.000Z', org_id: 'sunrise-care', actor_id: 'u1', actor_roles: ['admin'], action: 'sign_in',
    entity_type: 'User', entity_id: 'u1', patient_id: null, changed_fields: [], request_id: null, source: 'api',
  };
  const file = path.join(dataDir, auditObjectKey('sunrise-care', '2026-11-21', 'b1'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, gzipSync(`${JSON.stringify(row)}\n`));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('documented audit queries', () => {
  it('there are some, in both files', async () => {
    const found = await examples();
    expect(new Set(found.map((e) => e.file))).toEqual(new Set(['README.md', 'docs/audit.md']));
    expect(found.some((e) => e.as)).toBe(true);
  });

  it("name their org statically, and only the officer's org with --as", async () => {
    for (const e of await examples()) {
      const orgId = e.as ? OFFICERS[e.as] : undefined;
      if (e.as) expect(orgId, `${e.file}: unknown officer ${e.as}`).toBeDefined();
      expect(checkOrgScope(e.sql, orgId), `${e.file}: ${e.sql}`).toMatchObject({ ok: true });
    }
  });

  it('run on the local engine', async () => {
    for (const e of await examples()) {
      const scope = e.as ? { orgId: OFFICERS[e.as]! } : {};
      await expect(queryAuditChecked(dataDir, e.sql, scope), `${e.file}: ${e.sql}`).resolves.toBeInstanceOf(Array);
    }
  });
});
