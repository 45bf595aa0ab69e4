/**
 * The local GraphqlUrl's execution (local/graphql/): the generated schema, the shared resolver file
 * run as AppSync runs it, AppSync's error shape and limits. The function behind each field is a
 * recording stand-in here; test/e2e/graphql.test.ts runs the real ones.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS } from '../../../lib/config.js';
import { prepareDocument, runGraphql, type LocalGraphqlOptions } from '../../../local/graphql/execute.js';
import { loadResolver } from '../../../local/graphql/resolver-runtime.js';
import { buildAppSyncSchema } from '../../../local/realtime/schema.js';
import type { Json } from '../../support/json.js';

const schema = buildAppSyncSchema(readFileSync(new URL('../../../schemas/api.graphql', import.meta.url), 'utf8'));
const resolver = loadResolver(new URL('../../../schemas/resolvers/route.js', import.meta.url).pathname);
const claims = { sub: 'u-1', 'custom:orgId': 'org-1', 'cognito:groups': ['coordinator'], token_use: 'access' };
const caller = { claims, headers: { 'content-type': 'application/json' }, requestId: 'req-42' };

let calls: Array<{ field: string; payload: Json }> = [];
let answer: (field: string, payload: Json) => Promise<unknown> = async () => ({ data: null });
const options: LocalGraphqlOptions = {
  schema,
  resolver,
  invoke: (field, payload) => {
    calls.push({ field, payload });
    return answer(field, payload);
  },
  logger: { error: () => undefined },
};
beforeEach(() => {
  calls = [];
});

describe('local GraphQL execution', () => {
  it("runs the shared resolver: the function gets field, arguments, claims and the request id, and its data is the field's value", async () => {
    answer = async () => ({ data: { id: 'p1', displayName: 'Margaret', version: 3 } });
    const out = await runGraphql(options, { query: 'query ($id: ID!) { getPatient(patientId: $id) { id displayName version } }', variables: { id: 'p1' } }, caller);
    expect(out).toEqual({ data: { getPatient: { id: 'p1', displayName: 'Margaret', version: 3 } } });
    expect(calls).toEqual([{ field: 'getPatient', payload: { field: 'getPatient', parentType: 'Query', arguments: { patientId: 'p1' }, identity: { sub: 'u-1', claims }, requestId: 'req-42' } }]);
  });

  it("turns an error answer into AppSync's error entry, the field null", async () => {
    answer = async () => ({ error: { message: 'Invalid body', errorType: 'validation_failed', errorInfo: { details: [{ path: 'body.details', message: 'Too small' }] } } });
    const out = await runGraphql(
      options,
      { query: 'mutation { reportIncident(patientId: "p1", input: { category: fall, severity: low, details: "", occurredAt: "2026-01-01T00:00:00Z" }) { id } }' },
      caller,
    );
    expect(out).toEqual({
      data: { reportIncident: null },
      errors: [{ path: ['reportIncident'], data: null, errorType: 'validation_failed', errorInfo: { details: [{ path: 'body.details', message: 'Too small' }] }, locations: [{ line: 1, column: 12, sourceName: null }], message: 'Invalid body' }],
    });
    expect(calls[0]!.payload.arguments.input).toEqual({ category: 'fall', severity: 'low', details: '', occurredAt: '2026-01-01T00:00:00Z' });
  });

  it('reports a failed invocation as internal, with no detail', async () => {
    answer = async () => {
      throw new Error('boom: table missing');
    };
    const out = await runGraphql(options, { query: 'query { getMe { userId } }' }, caller);
    expect(out.errors).toEqual([expect.objectContaining({ errorType: 'internal', message: 'Something went wrong; try again later' })]);
  });

  it('serialises AWSJSON results to JSON strings', async () => {
    answer = async () => ({ data: { contentType: 'text/csv', text: 'a,b\n' } });
    const out = await runGraphql(options, { query: 'query { exportEvv(from: "2026-01-01", to: "2026-01-02", format: csv) }' }, caller);
    expect(out.errors).toBeUndefined();
    expect(JSON.parse((out.data as { exportEvv: string }).exportEvv)).toEqual({ contentType: 'text/csv', text: 'a,b\n' });
    expect(calls[0]!.payload.arguments).toEqual({ from: '2026-01-01', to: '2026-01-02', format: 'csv' });
  });

  it('keeps the realtime fields as they are: health answers, IAM-only mutations are refused', async () => {
    expect(await runGraphql(options, { query: '{ health }' }, caller)).toEqual({ data: { health: 'ok' } });
    const out = await runGraphql(options, { query: 'mutation { revokePatientAccess(patientId: "p", userId: "u") }' }, caller);
    expect(out).toMatchObject({ data: { revokePatientAccess: null }, errors: [{ errorType: 'Unauthorized', path: ['revokePatientAccess'] }] });
    expect(calls).toEqual([]);
  });

  it('refuses what does not validate, over the depth limit or over the resolver count, running nothing', async () => {
    answer = async () => ({ data: { userId: 'u-1' } });
    const unknown = await runGraphql(options, { query: '{ patients { id } }' }, caller);
    expect(unknown).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError', message: expect.stringContaining('Cannot query field "patients"') }] });
    const wrongVariable = await runGraphql(options, { query: 'query ($id: ID!) { getPatient(patientId: $id) { id } }', variables: { id: { a: 1 } } }, caller);
    expect(wrongVariable).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError' }] });

    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: getMe { userId }`).join(' ')} }`;
    const over = await runGraphql(options, { query: aliases(GRAPHQL_LIMITS.resolverCount + 1) }, caller);
    expect(over).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError', message: expect.stringContaining(`${GRAPHQL_LIMITS.resolverCount + 1} resolvers`) }] });
    expect(calls).toEqual([]);
    const atLimit = await runGraphql(options, { query: aliases(GRAPHQL_LIMITS.resolverCount) }, caller);
    expect(atLimit.errors).toBeUndefined();
    expect(calls).toHaveLength(GRAPHQL_LIMITS.resolverCount);

    // Fragments do not hide depth.
    const deep = `query { ...A } fragment A on Query { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`;
    expect(await runGraphql(options, { query: deep }, caller)).toMatchObject({ data: null, errors: [{ message: expect.stringContaining('depth 11') }] });
  });

  it('refuses introspection when it is off (the prod stage), running nothing, and keeps __typename', async () => {
    const off = { ...options, introspection: false };
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Patient") { name } }', 'query { ...I } fragment I on Query { __schema { queryType { name } } }']) {
      const out = await runGraphql(off, { query }, caller);
      expect(out.data).toBeNull();
      expect(out.errors!.length).toBeGreaterThan(0);
      expect(out.errors!.every((e) => e.errorType === 'ValidationError' && /introspection/i.test(e.message))).toBe(true);
    }
    answer = async () => ({ data: { userId: 'u-1' } });
    expect(await runGraphql(off, { query: '{ __typename getMe { __typename userId } }' }, caller)).toEqual({ data: { __typename: 'Query', getMe: { __typename: 'Me', userId: 'u-1' } } });
    // On by default, as `npm start` and the dev stage have it.
    expect((await runGraphql(options, { query: '{ __schema { queryType { name } } }' }, caller)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect(calls.map((c) => c.field)).toEqual(['getMe']);
  });
});

describe('prepared documents', () => {
  it('parses and validates a text once; each request still gets its own variables', async () => {
    const query = 'query ($id: ID!) { getPatient(patientId: $id) { id } }';
    const first = prepareDocument(options, query);
    expect(first.errors).toBeUndefined();
    expect(prepareDocument(options, query)).toBe(first);
    answer = async (_field, payload) => ({ data: { id: payload.arguments.patientId } });
    const a = await runGraphql(options, { query, variables: { id: 'p1' } }, caller);
    const b = await runGraphql(options, { query, variables: { id: 'p2' } }, caller);
    expect([a, b]).toEqual([{ data: { getPatient: { id: 'p1' } } }, { data: { getPatient: { id: 'p2' } } }]);
    // Wrong variable types are per request, not part of what is remembered.
    const bad = await runGraphql(options, { query, variables: { id: { no: 1 } } }, caller);
    expect(bad.data).toBeNull();
    expect(bad.errors?.[0]?.message).toMatch(/\$id/);
  });

  it('remembers a refusal as a refusal, and keeps the rule sets apart (introspection on and off)', () => {
    const deep = `query { getMe { ${'a { '.repeat(12)}b${' }'.repeat(12)} } }`;
    expect(prepareDocument(options, deep).errors?.length).toBeGreaterThan(0);
    expect(prepareDocument(options, deep).errors?.length).toBeGreaterThan(0);
    const introspect = 'query { __schema { queryType { name } } }';
    expect(prepareDocument(options, introspect).errors).toBeUndefined();
    expect(prepareDocument({ ...options, introspection: false }, introspect).errors?.[0]?.message).toMatch(/introspection/i);
    expect(prepareDocument(options, introspect).errors).toBeUndefined();
  });
});
