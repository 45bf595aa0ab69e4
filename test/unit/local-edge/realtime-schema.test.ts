import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authorizationFromHeader } from '../../../local/realtime/server.js';
import { buildAppSyncSchema, parseSubscription, projectEvent, SubscriptionRequestError } from '../../../local/realtime/schema.js';
import type { CareEvent } from '../../../lambdas/shared/events/care-event.js';

const schema = buildAppSyncSchema(readFileSync(new URL('../../../schemas/realtime.graphql', import.meta.url), 'utf8'));

const event: CareEvent = {
  id: 'e-1',
  orgId: 'o-1',
  patientId: 'p-1',
  recipientId: null,
  type: 'DoseMissed',
  entityType: 'Dose',
  entityId: 'd-1',
  at: '2026-11-21T08:00:00.000Z',
  data: { medicationId: 'm-1' },
};

const errorOf = (fn: () => unknown): SubscriptionRequestError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SubscriptionRequestError) return err;
    throw err;
  }
  throw new Error('expected a SubscriptionRequestError');
};

describe('parseSubscription', () => {
  it('resolves the field and its arguments from variables or literals', () => {
    expect(parseSubscription(schema, { query: 'subscription S($p: ID!) { onPatientEvent(patientId: $p) { id } }', variables: { p: 'p-1' } })).toMatchObject({
      fieldName: 'onPatientEvent',
      args: { patientId: 'p-1' },
    });
    expect(parseSubscription(schema, { query: 'subscription { onPatientEvent(patientId: "p-2") { id } }' }).args).toEqual({ patientId: 'p-2' });
    expect(parseSubscription(schema, { query: 'subscription { onMyEvent { id } }' })).toMatchObject({ fieldName: 'onMyEvent', args: {} });
  });

  it('picks the named operation of a document with several', () => {
    const query = 'subscription A { onMyEvent { id } } subscription B($p: ID!) { onPatientEvent(patientId: $p) { id } }';
    expect(parseSubscription(schema, { query, operationName: 'B', variables: { p: 'x' } }).fieldName).toBe('onPatientEvent');
    expect(errorOf(() => parseSubscription(schema, { query })).errorType).toBe('ValidationError');
  });

  it('refuses invalid documents, missing variables, queries and mutations', () => {
    expect(errorOf(() => parseSubscription(schema, { query: 'subscription {' })).errorType).toBe('ValidationError');
    expect(errorOf(() => parseSubscription(schema, { query: 'subscription { onPatientEvent { id } }' })).errorType).toBe('ValidationError');
    expect(errorOf(() => parseSubscription(schema, { query: 'subscription($p: ID!) { onPatientEvent(patientId: $p) { id } }', variables: {} })).errorType).toBe('ValidationError');
    expect(errorOf(() => parseSubscription(schema, { query: '{ health }' })).errorType).toBe('UnsupportedOperation');
    expect(errorOf(() => parseSubscription(schema, { query: 'mutation { revokePatientAccess(patientId: "p", userId: "u") }' })).errorType).toBe('UnsupportedOperation');
    expect(errorOf(() => parseSubscription(schema, {})).errorType).toBe('MalformedRequestException');
  });
});

describe('projectEvent', () => {
  it('returns only the selected fields, with aliases, fragments, __typename and data as an AWSJSON string', () => {
    const sub = parseSubscription(schema, {
      query: 'subscription { onPatientEvent(patientId: "p-1") { __typename id what: type ... on CareEvent { data } } }',
    });
    expect(projectEvent(schema, sub, event)).toEqual({
      onPatientEvent: { __typename: 'CareEvent', id: 'e-1', what: 'DoseMissed', data: '{"medicationId":"m-1"}' },
    });
  });

  it('gives null for absent optional fields', () => {
    const sub = parseSubscription(schema, { query: 'subscription { onMyEvent { recipientId data } }' });
    expect(projectEvent(schema, sub, { ...event, data: undefined, recipientId: undefined })).toEqual({ onMyEvent: { recipientId: null, data: null } });
  });
});

describe('authorizationFromHeader', () => {
  const header = { Authorization: 'eyJ.token', host: 'example.appsync-api.us-east-1.amazonaws.com' };
  it('reads base64 (query string) and unpadded base64url (subprotocol) headers', () => {
    expect(authorizationFromHeader(Buffer.from(JSON.stringify(header)).toString('base64'))).toBe('eyJ.token');
    expect(authorizationFromHeader(Buffer.from(JSON.stringify(header)).toString('base64url'))).toBe('eyJ.token');
  });

  it('gives undefined for missing or malformed headers', () => {
    expect(authorizationFromHeader(undefined)).toBeUndefined();
    expect(authorizationFromHeader('%%%')).toBeUndefined();
    expect(authorizationFromHeader(Buffer.from('{"host":"x"}').toString('base64'))).toBeUndefined();
  });
});
