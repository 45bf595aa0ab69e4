import { describe, expect, it } from 'vitest';
import { checkOrgCondition, checkOrgScope, ORG_CONDITION_MESSAGE } from '../../../../lambdas/shared/audit/org-condition.js';

const accepted = (sql: string) => {
  const out = checkOrgCondition(sql);
  if (!out.ok) throw new Error(`refused: ${out.message}\n${sql}`);
  return out.orgs;
};
const refused = (sql: string) => {
  const out = checkOrgCondition(sql);
  if (out.ok) throw new Error(`accepted (orgs ${out.orgs.join(',')}):\n${sql}`);
  return out.message;
};

describe('checkOrgCondition: what Athena accepts', () => {
  it.each([
    ["SELECT * FROM audit_events WHERE org = 'sunrise-care'", ['sunrise-care']],
    ["select * from AUDIT_EVENTS where ORG = 'sunrise-care' and dt >= '2026-01-01'", ['sunrise-care']],
    ["SELECT * FROM audit_events WHERE 'sunrise-care' = org", ['sunrise-care']],
    ["SELECT * FROM audit_events WHERE \"org\" = 'a'", ['a']],
    ["SELECT * FROM audit_events WHERE org IN ('a', 'b') AND action = 'read'", ['a', 'b']],
    ["SELECT * FROM audit_events e WHERE e.org = 'a'", ['a']],
    ["SELECT * FROM carestack_dev_audit.audit_events WHERE audit_events.org = 'a'", ['a']],
    // Parentheses of ANDs are still top-level conditions.
    ["SELECT * FROM audit_events WHERE (org = 'a' AND (dt = '2026-11-01')) AND action = 'read'", ['a']],
    // BETWEEN's AND is not a conjunction.
    ["SELECT * FROM audit_events WHERE dt BETWEEN '2026-01-01' AND '2026-02-01' AND org = 'a'", ['a']],
    // OR elsewhere is fine, as long as org is not in it.
    ["SELECT * FROM audit_events WHERE org = 'a' AND (action = 'read' OR action = 'update')", ['a']],
    // An escaped quote in the value.
    ["SELECT * FROM audit_events WHERE org = 'it''s'", ["it's"]],
    // Comments, including ones that look like conditions or hide a quote.
    ["SELECT * FROM audit_events -- WHERE nothing\n WHERE /* org = 'x' OR ' */ org = 'a'", ['a']],
    // org in a string literal is no condition, and a condition named elsewhere still counts.
    ["SELECT 'org = ''x''' AS note FROM audit_events WHERE actor_id <> 'org' AND org = 'a'", ['a']],
    // org in the select list and GROUP BY is not constrained.
    ["SELECT org, count(*) FROM audit_events WHERE org = 'a' GROUP BY org ORDER BY org", ['a']],
    // Subqueries, each with its own condition.
    ["SELECT * FROM (SELECT * FROM audit_events WHERE org = 'a') t WHERE t.action = 'read'", ['a']],
    [
      "SELECT * FROM audit_events WHERE org = 'a' AND actor_id IN (SELECT actor_id FROM audit_events WHERE org = 'a' AND action = 'delete')",
      ['a'],
    ],
    ["WITH e AS (SELECT * FROM audit_events WHERE org = 'a') SELECT count(*) FROM e", ['a']],
    ["SELECT event_id FROM audit_events WHERE org = 'a' UNION ALL SELECT event_id FROM audit_events WHERE org = 'b'", ['a', 'b']],
    // A self-join, each side constrained through its alias.
    ["SELECT x.event_id FROM audit_events x JOIN audit_events y ON x.request_id = y.request_id WHERE x.org = 'a' AND y.org = 'a'", ['a']],
    // A trailing semicolon, and catalog statements that read no rows.
    ["SELECT * FROM audit_events WHERE org = 'a';", ['a']],
    ['DESCRIBE audit_events', []],
    ['SELECT 1 AS one', []],
  ])('%s', (sql, orgs) => {
    expect(accepted(sql)).toEqual(orgs);
  });
});

describe('checkOrgCondition: what Athena refuses', () => {
  it.each([
    ['no WHERE', 'SELECT * FROM audit_events'],
    ['no org condition', "SELECT * FROM audit_events WHERE action = 'read'"],
    ['OR org', "SELECT * FROM audit_events WHERE action = 'read' OR org = 'a'"],
    ['OR beside a good condition', "SELECT * FROM audit_events WHERE org = 'a' OR org = 'b'"],
    ['parenthesised OR', "SELECT * FROM audit_events WHERE (org = 'a' OR org = 'b') AND action = 'read'"],
    ['a non-equality beside a good condition', "SELECT * FROM audit_events WHERE org = 'a' AND org <> 'b'"],
    ['LIKE', "SELECT * FROM audit_events WHERE org LIKE 'a%'"],
    ['NOT', "SELECT * FROM audit_events WHERE NOT org = 'a'"],
    ['a function of org', "SELECT * FROM audit_events WHERE lower(org) = 'a'"],
    ['a column on the other side', 'SELECT * FROM audit_events WHERE org = org_id'],
    ['an expression as value', "SELECT * FROM audit_events WHERE org = 'a' || 'b'"],
    ['IN a subquery', "SELECT * FROM audit_events WHERE org IN (SELECT org_id FROM audit_events WHERE org = 'a')"],
    ['the condition only in a comment', "SELECT * FROM audit_events WHERE action = 'read' -- AND org = 'a'"],
    ['the condition only in a block comment', "SELECT * FROM audit_events WHERE /* org = 'a' AND */ action = 'read'"],
    ['the condition only in a string', "SELECT * FROM audit_events WHERE action = 'x'' AND org = ''a'"],
    ['a subquery without one', "SELECT * FROM (SELECT * FROM audit_events) t WHERE t.org = 'a'"],
    ['an inner query without one', "SELECT * FROM audit_events WHERE org = 'a' AND actor_id IN (SELECT actor_id FROM audit_events WHERE action = 'x')"],
    ['a CTE without one', "WITH e AS (SELECT * FROM audit_events) SELECT * FROM e WHERE org = 'a'"],
    ['the second UNION branch without one', "SELECT event_id FROM audit_events WHERE org = 'a' UNION SELECT event_id FROM audit_events"],
    ['a self-join with one side constrained', "SELECT 1 FROM audit_events x, audit_events y WHERE x.org = 'a'"],
    ['a self-join with an unqualified condition', "SELECT 1 FROM audit_events x, audit_events y WHERE org = 'a'"],
    ['the condition in the join, not WHERE', "SELECT 1 FROM audit_events e JOIN other o ON e.org = 'a'"],
    ['FROM-first syntax (not Trino)', "FROM audit_events SELECT * WHERE org = 'a'"],
  ])('%s', (_name, sql) => {
    expect(refused(sql)).toBe(ORG_CONDITION_MESSAGE);
  });

  it('refuses a second statement and broken SQL with their own message', () => {
    expect(refused("SELECT * FROM audit_events WHERE org = 'a'; SELECT * FROM audit_events WHERE org = 'b'")).toMatch(/one statement/);
    expect(refused("SELECT * FROM audit_events WHERE org = 'a")).toMatch(/Unterminated string/);
    expect(refused("SELECT * FROM audit_events WHERE (org = 'a'")).toMatch(/parentheses/);
    expect(refused("SELECT * FROM audit_events WHERE org = 'a' /* open")).toMatch(/comment/);
  });
});

describe('checkOrgScope: a compliance officer of one org', () => {
  it('accepts queries naming only the caller org', () => {
    expect(checkOrgScope("SELECT * FROM audit_events WHERE org = 'a'", 'a')).toEqual({ ok: true, orgs: ['a'] });
  });

  it.each([
    ["SELECT * FROM audit_events WHERE org = 'b'"],
    ["SELECT * FROM audit_events WHERE org IN ('a', 'b')"],
    ["SELECT * FROM audit_events WHERE org = 'a' UNION ALL SELECT * FROM audit_events WHERE org = 'b'"],
    // Case matters in S3 keys: another spelling is another prefix.
    ["SELECT * FROM audit_events WHERE org = 'A'"],
  ])('refuses another org: %s', (sql) => {
    const out = checkOrgScope(sql, 'a');
    expect(out.ok).toBe(false);
    expect(!out.ok && out.message).toMatch(/^Permission denied on S3 path: audit\/org=(b|A)\//);
  });

  it('keeps the injected-partition refusal when no org is named', () => {
    expect(checkOrgScope('SELECT * FROM audit_events', 'a')).toEqual({ ok: false, message: ORG_CONDITION_MESSAGE });
  });
});
