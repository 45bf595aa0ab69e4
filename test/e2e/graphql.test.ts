/**
 * GraphQL queries and mutations at the local GraphqlUrl, as a client sends them (POST { query,
 * variables }): the smoke test of the core. Each field runs the shared resolver and the same
 * function and pipeline as its REST route; errors carry the REST code as errorType. The exhaustive
 * suites (matrix, hostile inputs, parity, Amplify) build on this.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually, signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';
import type { Json } from '../support/json.js';

let stack: LocalStack;
let margaret: string;
const tokens: Record<string, string> = {};
const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;

interface GraphqlAnswer {
  data: Record<string, Json> | null;
  errors?: Array<{ message: string; errorType: string | null; errorInfo: Json; path: Array<string | number> | null; locations: unknown[] }>;
  /** AppSync's request id (the `x-amzn-RequestId` response header). */
  requestId: string | null;
}
async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlAnswer> {
  const res = await fetch(stack.outputs.GraphqlUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return { ...((await res.json()) as Omit<GraphqlAnswer, 'requestId'>), requestId: res.headers.get('x-amzn-requestid') };
}

beforeAll(async () => {
  stack = await startTestStack('e2e-graphql');
  // Amplify's userPool mode sends the access token; plain clients often the ID token: both work.
  tokens.coordinator = await signIn(stack.outputs, user('coordinator').email, user('coordinator').password, 'access');
  tokens.aide = await signIn(stack.outputs, user('aide').email, user('aide').password, 'access');
  tokens.aideId = await signIn(stack.outputs, user('aide').email, user('aide').password);
  const otherAdmin = stack.demoUsers!.otherOrg.users.find((u) => u.role === 'admin')!;
  tokens['admin@other'] = await signIn(stack.outputs, otherAdmin.email, otherAdmin.password);
  margaret = stack.demoUsers!.patients[0]!.patientId;
});

afterAll(async () => {
  await stopTestStack(stack);
});

const REPORT = /* GraphQL */ `
  mutation Report($patientId: ID!, $input: ReportIncidentInput!, $key: String) {
    reportIncident(patientId: $patientId, input: $input, idempotencyKey: $key) { id status severity reportedBy reportDueBy occurredAt }
  }
`;

describe('GraphQL queries and mutations on the local stack', () => {
  it('lists patients with an access token, as REST lists them with an ID token', async () => {
    const answer = await gql(tokens.coordinator!, 'query { listPatients(limit: 100) { items { id displayName isActive } nextCursor } }');
    expect(answer.errors).toBeUndefined();
    const rest = await apiClient(stack.outputs)(await signIn(stack.outputs, user('coordinator').email, user('coordinator').password), 'GET', '/patients?limit=100');
    expect(answer.data!.listPatients.items.map((p: { id: string }) => p.id)).toEqual(rest.body.items.map((p: { id: string }) => p.id));
    expect(answer.data!.listPatients.items).toContainEqual({ id: margaret, displayName: expect.any(String), isActive: true });
  });

  it('reports an incident once for one idempotencyKey sent twice', async () => {
    const input = { category: 'fall', severity: 'critical', details: 'Found beside the bed (GraphQL smoke).', occurredAt: new Date(Date.now() - 60_000).toISOString() };
    const first = await gql(tokens.aide!, REPORT, { patientId: margaret, input, key: 'gql-smoke-1' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.reportIncident).toMatchObject({ status: 'open', severity: 'critical', reportedBy: user('aide').userId });
    const again = await gql(tokens.aideId!, REPORT, { patientId: margaret, input, key: 'gql-smoke-1' });
    expect(again.data!.reportIncident.id).toBe(first.data!.reportIncident.id);

    const list = await gql(tokens.coordinator!, 'query ($p: ID!) { listPatientIncidents(patientId: $p, limit: 100) { items { id details } } }', { p: margaret });
    expect(list.data!.listPatientIncidents.items.filter((i: { details: string }) => i.details === input.details)).toHaveLength(1);

    // The same audit record as over REST: the actor, source api, AppSync's request id.
    expect(first.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await eventually(async () => {
      const found = await queryAudit(stack.dataDir, `SELECT actor_id, action, entity_type, entity_id, source FROM audit_events WHERE request_id = '${first.requestId}'`);
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ actor_id: user('aide').userId, action: 'create', entity_type: 'Incident', entity_id: first.data!.reportIncident.id, source: 'api' }]);
  });

  it("answers not_found as errorType, with a null field, for another org's patient", async () => {
    const answer = await gql(tokens['admin@other']!, 'query ($p: ID!) { getPatient(patientId: $p) { id displayName } }', { p: margaret });
    expect(answer.data).toEqual({ getPatient: null });
    expect(answer.errors).toEqual([expect.objectContaining({ errorType: 'not_found', path: ['getPatient'], message: expect.any(String) })]);
  });

  it('answers validation_failed with the REST details in errorInfo, and creates nothing', async () => {
    const count = async () =>
      (await gql(tokens.coordinator!, 'query ($p: ID!) { listPatientIncidents(patientId: $p, limit: 100) { items { id } } }', { p: margaret })).data!.listPatientIncidents.items.length as number;
    const before = await count();
    const input = { category: 'fall', severity: 'low', details: '', occurredAt: new Date().toISOString() };
    const answer = await gql(tokens.aide!, REPORT, { patientId: margaret, input });
    expect(await count()).toBe(before);
    expect(answer.data).toEqual({ reportIncident: null });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'validation_failed', path: ['reportIncident'] });
    expect(answer.errors![0]!.errorInfo.details).toContainEqual(expect.objectContaining({ path: 'body.details' }));
  });

  it('refuses a query deeper than 10 by validation, running nothing', async () => {
    // Introspection nests as deep as one likes: 11 levels of fields.
    const deep = 'query { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }';
    const answer = await gql(tokens.coordinator!, deep);
    expect(answer.data).toBeNull();
    expect(answer.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining('depth 11') })]);
    const ten = 'query { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }';
    expect((await gql(tokens.coordinator!, ten)).errors).toBeUndefined();
  });

  it('serves a plain fetch client with the ID token: a query, a mutation with idempotencyKey, the dashboard, not_found; getMe alike with either token', async () => {
    const coordinator = user('coordinator');
    const idToken = await signIn(stack.outputs, coordinator.email, coordinator.password);
    const list = await gql(idToken, 'query { listPatients(limit: 100) { items { id } } }');
    expect(list.errors).toBeUndefined();
    expect(list.data!.listPatients.items).toContainEqual({ id: margaret });

    const dashboard = async () =>
      (await gql(idToken, 'query ($p: ID!) { getPatientDashboard(patientId: $p) { incidentCount openIncidentCount } }', { p: margaret })).data!.getPatientDashboard as { incidentCount: number };
    const before = await dashboard();
    const input = { category: 'medication_error', severity: 'low', details: 'Missed the evening dose (fetch, ID token).', occurredAt: new Date(Date.now() - 30_000).toISOString() };
    const first = await gql(idToken, REPORT, { patientId: margaret, input, key: 'gql-fetch-id-1' });
    const again = await gql(idToken, REPORT, { patientId: margaret, input, key: 'gql-fetch-id-1' });
    expect(first.errors).toBeUndefined();
    expect(again.data!.reportIncident.id).toBe(first.data!.reportIncident.id);
    await stack.settle();
    expect((await dashboard()).incidentCount).toBe(before.incidentCount + 1);

    const refused = await gql(idToken, 'query ($p: ID!) { getPatient(patientId: $p) { id } }', { p: stack.demoUsers!.otherOrg.patients[0]!.patientId });
    expect(refused.data).toEqual({ getPatient: null });
    expect(refused.errors).toEqual([expect.objectContaining({ errorType: 'not_found' })]);

    // The access token now carries the email and name too: getMe answers the same with both tokens.
    const ME = 'query { getMe { userId orgId roles email displayName patientId } }';
    const withId = await gql(idToken, ME);
    expect(withId.data!.getMe).toMatchObject({ email: coordinator.email, displayName: expect.stringMatching(/\S/) });
    expect((await gql(tokens.coordinator!, ME)).data).toEqual(withId.data);
  });
});
