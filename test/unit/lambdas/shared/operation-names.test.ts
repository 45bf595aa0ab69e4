import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../../lambdas/routes.js';

/** The realtime API's own fields (schemas/realtime.graphql): a route may not take one of their names. */
const REALTIME_FIELDS = [...readFileSync(new URL('../../../../schemas/realtime.graphql', import.meta.url), 'utf8').matchAll(/^\s+(\w+)\s*[(:]/gm)].map((m) => m[1]!);

describe('operation names (the OpenAPI operationId and the GraphQL field of each route)', () => {
  it('every route has one, a camelCase verb phrase', () => {
    expect(ROUTES.length).toBeGreaterThan(100);
    for (const route of ROUTES) {
      const where = `${route.method} ${route.path}`;
      expect(typeof route.operation, where).toBe('string');
      // lowerCamelCase: starts with a lower-case verb, at least one more word, letters and digits only
      expect(route.operation, where).toMatch(/^[a-z]+(?:[A-Z][a-z0-9]*)+$/);
    }
  });

  it('no two routes share one, and none takes a realtime field name', () => {
    const seen = new Map<string, string>();
    for (const route of ROUTES) {
      const where = `${route.method} ${route.path}`;
      expect(seen.get(route.operation), `${where} reuses ${route.operation}`).toBeUndefined();
      seen.set(route.operation, where);
    }
    expect(REALTIME_FIELDS).toEqual(expect.arrayContaining(['publish', 'revokePatientAccess', 'health', 'onPatientEvent', 'onMyEvent']));
    for (const field of REALTIME_FIELDS) expect(seen.get(field), field).toBeUndefined();
  });

  it('reads as a verb phrase a client would guess: reads list/get, the rest say what they do', () => {
    for (const route of ROUTES) {
      const verb = /^[a-z]+/.exec(route.operation)![0];
      if (route.method === 'GET') expect(['list', 'get', 'export'], `${route.method} ${route.path}`).toContain(verb);
      else expect(['list', 'get'], `${route.method} ${route.path}`).not.toContain(verb);
    }
  });
});
