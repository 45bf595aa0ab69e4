/**
 * Hostile input over GraphQL. Two parts, against a local stack with introspection off as the prod
 * stage's AppSync API has it:
 * 1. The REST generator's requests (support/hostile.ts), sent as the route's field: bodies as
 *    `input`, path and query values as arguments (ones the field does not take stay as arguments
 *    the schema must refuse), Idempotency-Key as `idempotencyKey`, malformed JSON as the HTTP body,
 *    bad Authorization headers as they are. The generator's "wrong content type" case is left out:
 *    a GraphQL request is JSON whatever its header says, so it would be a valid request.
 * 2. GraphQL's own attacks: depth bombs, thousands of aliases of one field, fragment cycles,
 *    huge variables, wrong variable types, unknown fields and arguments, introspection.
 * Every answer must be a refusal with a clear error (HTTP 4xx with errors, or 200 with errors and no
 * data for the field), and nothing may be written: no new table item, no new audit record.
 * Replay a failure with CARESTACK_TRUST_SEED=<seed printed by the run>.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import { ROUTES, routeKey, type RouteDef } from '../../lambdas/routes.js';
import { GRAPHQL_LIMITS } from '../../lib/config.js';
import { fieldOf, postGraphql, toGraphql, type GraphqlAnswer } from './support/graphql.js';
import { hostileRequests, type HostileWorld, type Req } from './support/hostile.js';
import { pool, startTrustStack, type TrustStack } from './support/stack.js';

const SEED = Number(process.env.CARESTACK_TRUST_SEED ?? Date.now() % 2 ** 31);
const RUNS_PER_ROUTE = Number(process.env.CARESTACK_TRUST_GRAPHQL_RUNS ?? 20);

let t: TrustStack;
let admin: string;
let world: HostileWorld;

beforeAll(async () => {
  t = await startTrustStack('hostile-graphql', { graphqlIntrospection: false });
  admin = t.token('admin');
  world = {
    patientId: t.stack.demoUsers!.patients[0]!.patientId,
    otherOrgPatient: t.stack.demoUsers!.otherOrg.patients[0]!.patientId,
    otherOrgUser: t.user('aide', 'other').userId,
    aideId: t.user('aide').userId,
    familyId: t.user('family').userId,
  };
});

afterAll(async () => {
  await t?.stop();
});

interface Sent {
  what: string;
  status: number;
  answer: GraphqlAnswer;
}

/** POSTs a raw body (a string as it is, anything else as JSON) with an Authorization header. */
async function postRaw(body: unknown, authorization: string | undefined): Promise<{ status: number; answer: GraphqlAnswer }> {
  const res = await fetch(t.stack.outputs.GraphqlUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization !== undefined ? { Authorization: authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, answer: JSON.parse(text) as GraphqlAnswer };
}

/** A generated REST request as the GraphQL request a client would send for it. */
async function sendAsGraphql(route: RouteDef, req: Req): Promise<{ status: number; answer: GraphqlAnswer }> {
  if (req.token === null) return postRaw(toGraphql(route, req.url, undefined), req.headers.Authorization ?? '');
  let body: unknown;
  if (req.body !== undefined) {
    try {
      body = JSON.parse(req.body);
    } catch {
      // Not JSON: what reaches GraphqlUrl is then a body that is not JSON either.
      return postRaw(req.body, admin);
    }
  }
  return postGraphql(t.stack.outputs.GraphqlUrl, admin, toGraphql(route, req.url, body, req.headers, { hostile: true }));
}

/** Why an answer is not a clear refusal, or undefined when it is one. */
function notRefused(status: number, answer: GraphqlAnswer, field?: string): string | undefined {
  if (status >= 500) return `HTTP ${status}`;
  const errors = answer?.errors ?? [];
  if (errors.length === 0) return 'no errors';
  if (errors.some((e) => typeof e.message !== 'string' || e.message === '' || typeof e.errorType !== 'string')) return 'an error without message or errorType';
  if (status >= 400) return undefined;
  if (status !== 200) return `HTTP ${status}`;
  if (answer.data === null || answer.data === undefined) return undefined;
  if (field && answer.data[field] === null) return undefined;
  return 'data with the errors';
}

const aliases = (n: number, field: string) => `query { ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const nest = (depth: number) => {
  let q = 'name';
  for (let i = 0; i < depth; i++) q = `ofType { ${q} }`;
  return `query { __type(name: "Patient") { fields { type { ${q} } } } }`;
};

it('refuses every hostile GraphQL request with a clear error and writes nothing', async () => {
  await t.stack.settle(60_000);
  const itemsBefore = await t.countItems();
  const auditBefore = Number((await queryAudit(t.stack.dataDir, 'SELECT count(*) AS n FROM audit_events'))[0]!.n);
  const started = Date.now();
  const failures: string[] = [];
  const byKind = new Map<string, number>();
  const count = (kind: string) => byKind.set(kind, (byKind.get(kind) ?? 0) + 1);

  // 1. The REST generator's requests, as fields.
  let generated = 0;
  let unsendable = 0;
  const routes = ROUTES.filter((r) => r.auth);
  await pool(routes, 4, async (route) => {
    const samples = fc.sample(hostileRequests(route, world).filter((r) => r.kind !== 'wrong content type'), { numRuns: RUNS_PER_ROUTE, seed: SEED });
    for (const req of samples) {
      // fetch refuses some hostile headers itself (a NUL in a value): no client can send those.
      const sentOne = await sendAsGraphql(route, req).catch((err: unknown) => {
        if (err instanceof TypeError && /header/i.test(err.message)) return undefined;
        throw err;
      });
      if (!sentOne) {
        unsendable += 1;
        continue;
      }
      generated += 1;
      const { status, answer } = sentOne;
      count(`${status} ${answer?.errors?.[0]?.errorType ?? ''}`);
      const problem = notRefused(status, answer, route.operation);
      if (problem) failures.push(`${routeKey(route)} [${req.kind}] ${req.url.slice(0, 100)}: ${problem}: ${JSON.stringify(answer).slice(0, 300)}`);
    }
  });

  // 2. GraphQL's own attacks (each with a valid token; the field names are the schema's).
  const patient = world.patientId;
  const incident = { category: 'fall', severity: 'low', details: 'Hostile', occurredAt: new Date(Date.now() - 60_000).toISOString() };
  const report = 'mutation ($p: ID!, $i: ReportIncidentInput!) { reportIncident(patientId: $p, input: $i) { id } }';
  const own: Array<{ what: string; body: unknown; field?: string }> = [
    { what: 'depth bomb (introspection, 40 levels)', body: { query: nest(40) } },
    { what: `depth bomb (${GRAPHQL_LIMITS.queryDepth + 1} levels)`, body: { query: nest(GRAPHQL_LIMITS.queryDepth - 3) } },
    { what: '5000 aliases of one query field', body: { query: aliases(5000, 'listPatients(limit: 1) { nextCursor }') } },
    { what: `${GRAPHQL_LIMITS.resolverCount + 1} aliases of one query field`, body: { query: aliases(GRAPHQL_LIMITS.resolverCount + 1, 'getMe { userId }') } },
    {
      what: '2000 aliases of one mutation',
      body: { query: `mutation ($p: ID!, $i: ReportIncidentInput!) { ${Array.from({ length: 2000 }, (_, i) => `m${i}: reportIncident(patientId: $p, input: $i) { id }`).join(' ')} }`, variables: { p: patient, i: incident } },
    },
    { what: 'fragment cycle', body: { query: 'query { getMe { ...A } } fragment A on Me { userId ...B } fragment B on Me { email ...A }' } },
    { what: 'huge variable (1 MB string)', body: { query: report, variables: { p: patient, i: { ...incident, details: 'x'.repeat(1_000_000) } } }, field: 'reportIncident' },
    { what: 'huge variable (input with 100,000 keys)', body: { query: report, variables: { p: patient, i: { ...incident, ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])) } } }, field: 'reportIncident' },
    { what: 'huge variable (list of 200,000)', body: { query: report, variables: { p: patient, i: { ...incident, details: Array.from({ length: 200_000 }, () => 'x') } } } },
    { what: 'wrong variable type (object for ID)', body: { query: report, variables: { p: { id: patient }, i: incident } } },
    { what: 'wrong variable type (string for input)', body: { query: report, variables: { p: patient, i: JSON.stringify(incident) } } },
    { what: 'wrong variable type (string for Int)', body: { query: 'query ($n: Int) { listPatients(limit: $n) { nextCursor } }', variables: { n: 'ten' } } },
    { what: 'wrong variable type (enum value)', body: { query: report, variables: { p: patient, i: { ...incident, severity: 'apocalyptic' } } } },
    { what: 'variable of a type the argument does not take', body: { query: 'query ($p: Int) { getPatient(patientId: $p) { id } }', variables: { p: 1 } } },
    { what: 'missing required variable', body: { query: report, variables: { p: patient } } },
    { what: 'unknown input field', body: { query: report, variables: { p: patient, i: { ...incident, orgId: 'ORG#other' } } } },
    { what: 'unknown field', body: { query: 'query { listPatients { items { id ssn } } }' } },
    { what: 'unknown root field', body: { query: 'query { patients { id } }' } },
    { what: 'unknown argument', body: { query: `query { getPatient(patientId: "${patient}", orgId: "other") { id } }` } },
    { what: 'introspection (__schema)', body: { query: '{ __schema { queryType { name } types { name } } }' } },
    { what: 'introspection (__type)', body: { query: '{ __type(name: "Patient") { fields { name } } }' } },
    { what: 'introspection inside a fragment', body: { query: 'query { ...I } fragment I on Query { __schema { types { name } } }' } },
    { what: 'IAM-only mutation with a user-pool token', body: { query: `mutation { revokePatientAccess(patientId: "${patient}", userId: "${world.aideId}") }` }, field: 'revokePatientAccess' },
    { what: 'subscription over HTTP', body: { query: `subscription { onPatientEvent(patientId: "${patient}") { type } }` } },
    { what: 'two operations without operationName', body: { query: 'query A { getMe { userId } } query B { getMe { email } }' } },
    { what: 'syntax error', body: { query: 'query { getMe { userId }' } },
    { what: 'no query', body: { variables: {} } },
    { what: 'query not a string', body: { query: { getMe: true } } },
    { what: 'batched array body', body: [{ query: 'query { getMe { userId } }' }] },
  ];
  const sent: Sent[] = [];
  for (const attack of own) {
    const { status, answer } = await postRaw(attack.body, admin);
    sent.push({ what: attack.what, status, answer });
    count(`${status} ${answer?.errors?.[0]?.errorType ?? ''}`);
    const problem = notRefused(status, answer, attack.field);
    if (problem) failures.push(`[${attack.what}]: ${problem}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  // Introspection is refused for what it is, not by accident.
  expect(sent.find((s) => s.what === 'introspection (__schema)')!.answer.errors![0]!.message).toMatch(/introspection/i);
  expect(sent.find((s) => s.what.startsWith('5000 aliases'))!.answer.errors![0]!.message).toMatch(/resolvers, over the limit of 50/);
  expect(sent.find((s) => s.what.startsWith('depth bomb (11'))!.answer.errors!.map((e) => e.message).join(' ')).toMatch(/depth 11/);
  // Every field name used above is one of the schema's (a renamed field must not make an attack vacuous).
  expect(fieldOf(ROUTES.find((r) => r.operation === 'reportIncident')!).name).toBe('reportIncident');

  await t.stack.settle(60_000);
  const itemsAfter = await t.countItems();
  const auditAfter = Number((await queryAudit(t.stack.dataDir, 'SELECT count(*) AS n FROM audit_events'))[0]!.n);
  console.log(
    `[figures] hostile input over GraphQL: seed=${SEED} requests=${generated + own.length} (generated ${generated} over ${routes.length} fields, ${unsendable} more that fetch would not send, ` +
      `GraphQL attacks ${own.length}) in ${((Date.now() - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries([...byKind].sort()))}; ` +
      `table items ${itemsBefore} -> ${itemsAfter}; audit records ${auditBefore} -> ${auditAfter}`,
  );
  expect(failures).toEqual([]);
  expect(generated + unsendable).toBe(routes.length * RUNS_PER_ROUTE);
  expect(unsendable).toBeLessThan(generated / 5);
  expect(itemsAfter).toBe(itemsBefore);
  expect(auditAfter).toBe(auditBefore);
});
