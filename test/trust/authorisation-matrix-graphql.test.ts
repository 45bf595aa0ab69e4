/**
 * The authorisation matrix over GraphQL: the same rows (support/matrix.ts) and runner
 * (support/matrix-runner.ts) as the REST run, each row's request sent as its route's field at the
 * local GraphqlUrl (support/graphql.ts turns method, path, query and body into the field's query
 * with variables). The expected decision is the REST one: a 404 is errorType `not_found` and a 403
 * `forbidden`, with the field null; a success is the field with data (every field selected, so
 * the answer also has to fit the schema). Tokens are the ID tokens the REST run uses; Amplify's
 * access tokens are the e2e tests' (test/e2e/graphql-clients.test.ts).
 *
 * Every field x every role x all six relationships, as the REST run: 4,410 cases. (Until the
 * local user pool reused its DH object and the endpoint kept prepared documents, this took over
 * 300 s and ran three relationships by default.) CARESTACK_MATRIX_GRAPHQL=cut runs only the three
 * that decide most answers (careTeam, notOnTeam, otherOrg), for a quick local loop.
 *
 * The same run checks parity: every read that succeeds over GraphQL is made over REST as well, and
 * the field's value (every field selected, nested objects too) must equal the REST body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey, type RouteDef } from '../../lambdas/routes.js';
import { MATRIX, RELATIONSHIPS, ROLES, type Relationship } from './support/matrix.js';
import { runMatrix, sendRest, setupMatrix, type Send } from './support/matrix-runner.js';
import { asRest, parityDiff, postGraphql, toGraphql } from './support/graphql.js';
import type { TrustStack } from './support/stack.js';

let t: TrustStack;

beforeAll(async () => {
  t = await setupMatrix('matrix-graphql');
});

afterAll(async () => {
  await t?.stop();
});

/**
 * Parity: every read that succeeds over GraphQL in the matrix run is kept, and once the run is over
 * (rows write side by side, so a read made meanwhile could see another row's change) made again over
 * GraphQL and over REST, one after the other, and the answers compared.
 */
const reads = new Map<string, { route: RouteDef; token: string; url: string }>();

const sendGraphql: Send = async (route, token, url, body) => {
  const { status, answer } = await postGraphql(t.stack.outputs.GraphqlUrl, token, toGraphql(route, url, body));
  if (status !== 200) return { status: 0, body: { error: { code: `HTTP ${status}` } } };
  const got = asRest(route, answer);
  if (route.method === 'GET' && got.status === 200) reads.set(`${token} ${url}`, { route, token, url });
  return got;
};

describe('authorisation matrix over GraphQL', () => {
  it('answers every route x role x relationship with the decision REST gives', async () => {
    // GET /health has no field (the schema's own `health` answers liveness).
    const routes = ROUTES.filter((r) => MATRIX[routeKey(r)] && r.auth);
    const all = process.env.CARESTACK_MATRIX_GRAPHQL !== 'cut';
    const relationships: readonly Relationship[] = all ? RELATIONSHIPS : ['careTeam', 'notOnTeam', 'otherOrg'];
    const { cases, mismatches, seconds } = await runMatrix(sendGraphql, routes, { relationships });
    console.log(
      `[figures] authorisation matrix over GraphQL: ${cases} cases (${routes.length} fields x ${ROLES.length} roles x ${relationships.length} relationships) ` +
        `in ${seconds.toFixed(1)} s, ${mismatches.length} mismatches` + (all ? '' : ' (CARESTACK_MATRIX_GRAPHQL=cut: relationships cut to careTeam, notOnTeam, otherOrg)'),
    );
    expect(mismatches).toEqual([]);
    expect(cases).toBe(routes.length * ROLES.length * relationships.length);
  }, 600_000);

  it('answers every Query field as REST answers the same read (parity)', async () => {
    const queries = ROUTES.filter((r) => r.auth && r.method === 'GET').map((r) => r.operation);
    await t.stack.settle(60_000);
    const fields = new Set<string>();
    const mismatches: string[] = [];
    let compared = 0;
    for (const { route, token, url } of reads.values()) {
      const { answer } = await postGraphql(t.stack.outputs.GraphqlUrl, token, toGraphql(route, url));
      const got = asRest(route, answer);
      const rest = await sendRest(route, token, url, undefined);
      // A resource a later row removed answers 404 both ways: nothing to compare.
      if (got.status !== 200 && rest.status === got.status) continue;
      compared += 1;
      fields.add(route.operation);
      const diff = rest.status === 200 && got.status === 200 ? parityDiff(rest.body, got.body) : [`REST ${rest.status}, GraphQL ${got.status}`];
      if (diff.length) mismatches.push(`${route.operation} ${url}: ${diff.slice(0, 3).join('; ')}`);
    }
    console.log(
      `[figures] GraphQL/REST parity: ${compared} reads compared over ${fields.size} of ${queries.length} Query fields ` +
        `(every field selected, nested objects too; presigned URLs compared without their query string; expiresAt and windows defaulted to now within 5 s), ${mismatches.length} mismatches`,
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(queries.filter((q) => !fields.has(q)), 'Query fields never compared').toEqual([]);
  });
});
