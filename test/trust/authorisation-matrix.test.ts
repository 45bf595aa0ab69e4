/**
 * Runs the authorisation matrix (support/matrix.ts) against one local stack with real tokens, over
 * HTTP: every route of the route table x 7 roles x 6 relationships. A route without rows fails the
 * suite, so no future route escapes it. The runner (support/matrix-runner.ts) also serves the
 * GraphQL run (authorisation-matrix-graphql.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../lambdas/routes.js';
import { MATRIX, RELATIONSHIPS, ROLES } from './support/matrix.js';
import { assertNeedsDeclared, NEEDS } from './support/needs.js';
import { runMatrix, sendRest, setupMatrix } from './support/matrix-runner.js';
import type { TrustStack } from './support/stack.js';

let t: TrustStack;

beforeAll(async () => {
  t = await setupMatrix('matrix');
});

afterAll(async () => {
  await t?.stop();
});

describe('authorisation matrix', () => {
  it('has rows for every route of the route table', () => {
    const missing = ROUTES.map(routeKey).filter((key) => !MATRIX[key]);
    expect(missing, 'routes without rows in test/trust/support/matrix.ts').toEqual([]);
  });

  it('makes every resource its rows need: each need has an entry in its domain\'s needs file', () => {
    expect(() => assertNeedsDeclared(MATRIX)).not.toThrow();
    expect(() => assertNeedsDeclared({ 'GET /nowhere': { ...MATRIX['GET /me']!, needs: ['noSuchNeed'] } })).toThrow('GET /nowhere: noSuchNeed');
    const named = new Set(Object.values(MATRIX).flatMap((e) => e.needs ?? []));
    expect(Object.keys(NEEDS).filter((n) => !named.has(n)), 'needs no row names').toEqual([]);
  });

  it('answers every route x role x relationship as the contract says', async () => {
    const routes = ROUTES.filter((r) => MATRIX[routeKey(r)]);
    const { cases, mismatches, seconds } = await runMatrix(sendRest, routes);
    const pending = Object.keys(MATRIX).filter((k) => !ROUTES.some((r) => routeKey(r) === k));
    console.log(
      `[trust] authorisation matrix: ${cases} cases (${routes.length} routes x ${ROLES.length} roles x ${RELATIONSHIPS.length} relationships) ` +
        `in ${seconds.toFixed(1)} s, ${mismatches.length} mismatches` +
        (pending.length ? `; rows waiting for routes not in the table yet: ${pending.join(', ')}` : ''),
    );
    expect(mismatches).toEqual([]);
    expect(cases).toBe(routes.length * ROLES.length * RELATIONSHIPS.length);
  }, 600_000);
});
