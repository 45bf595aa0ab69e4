/**
 * The authorisation matrix's runner (support/matrix.ts holds the rows): one local stack with real
 * tokens, the orgs, users, patients and relationships the rows name, the resources a row needs
 * (declared per domain in support/needs/<domain>.ts), and the loop that sends every route x role x relationship and compares the answer
 * with the contract's. The transport is a parameter: REST over HTTP (authorisation-matrix.test.ts)
 * or the route's GraphQL field (authorisation-matrix-graphql.test.ts), so both run the same cases.
 * Resources are always made over REST: setup is not what is being tested.
 */
import { routeKey, type RouteDef } from '../../../lambdas/routes.js';
import type { Role } from '../../../schemas/roles.js';
import { expectedOutcome, MATRIX, RELATIONSHIPS, ROLES, SEES_PATIENT, OWNS_RESOURCE, type Relationship, type RowContext } from './matrix.js';
import { assertNeedsDeclared, NEEDS, type Need, type NeedResult, type NeedRow, type NeedWorld } from './needs.js';
import { pool, startTrustStack, type TrustStack } from './stack.js';
import type { Json } from '../../support/json.js';


let t: TrustStack;
const tokens = new Map<string, string>(); // `${org}:${role}` -> token
const userIds = new Map<string, string>();
const patients = {} as Record<Relationship, string>;
let spare: string;
let spareToken: string;

const orgOf = (rel: Relationship) => (rel === 'otherOrg' ? 'other' : 'own');
const tok = (role: Role, org: 'own' | 'other') => tokens.get(`${org}:${role}`)!;
const uid = (role: Role, org: 'own' | 'other') => userIds.get(`${org}:${role}`)!;

async function must(res: Promise<{ status: number; body: Json }>, what: string, ...ok: number[]) {
  const r = await res;
  if (!(ok.length ? ok : [200, 201, 204]).includes(r.status)) throw new Error(`setup: ${what} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}


/** Starts the stack and makes the world the rows run in. */
export async function setupMatrix(name: string): Promise<TrustStack> {
  assertNeedsDeclared(MATRIX);
  t = await startTrustStack(name);
  const demo = t.stack.demoUsers!;
  for (const org of ['own', 'other'] as const) {
    for (const u of org === 'own' ? demo.users : demo.otherOrg.users) {
      tokens.set(`${org}:${u.role}`, t.token(u.role, org));
      userIds.set(`${org}:${u.role}`, u.userId);
    }
  }
  const A = tok('admin', 'own');
  // The other org gets every role too, so "another org" is tried for each.
  for (const role of ROLES.filter((r) => !userIds.has(`other:${r}`))) {
    const created = await must(
      t.api(tok('admin', 'other'), 'POST', '/users', {
        email: `${role}.matrix@harbor.example`, displayName: `Harbor ${role}`, role,
        ...(role === 'patient' ? { patientId: demo.otherOrg.patients[0]!.patientId } : {}),
      }),
      `create other-org ${role}`,
    );
    userIds.set(`other:${role}`, created.userId);
    tokens.set(`other:${role}`, await t.signIn(created.email, created.password));
  }
  const newPatient = async (name: string) =>
    (await must(t.api(A, 'POST', '/patients', { displayName: name, medicalRecordNumber: `MX-${name}` }), `patient ${name}`)).id as string;
  const team = await newPatient('team');
  const link = await newPatient('link');
  const none = await newPatient('none');
  const relationshipOf: Partial<Record<Role, string>> = { admin: 'coordinator', coordinator: 'coordinator', aide: 'aide', clinician: 'clinician', family: 'family' };
  for (const [role, relationship] of Object.entries(relationshipOf) as Array<[Role, string]>) {
    await must(t.api(A, 'PUT', `/patients/${team}/care-team/${uid(role, 'own')}`, { relationship }), `team ${role}`);
    await must(t.api(A, 'PUT', `/patients/${link}/care-team/${uid(role, 'own')}`, { relationship: 'coordinator' }), `link ${role}`);
  }
  Object.assign(patients, {
    careTeam: team, notOnTeam: none, staffLink: link,
    self: demo.patients[0]!.patientId, otherPatient: demo.patients[1]!.patientId, otherOrg: team,
  } satisfies Record<Relationship, string>);
  const spareUser = await must(t.api(A, 'POST', '/users', { email: 'spare.matrix@sunrise.example', displayName: 'Spare Aide', role: 'aide' }), 'spare');
  spare = spareUser.userId;
  // The spare aide holds respite offers and sessions that are not the caller's.
  spareToken = await t.signIn(spareUser.email, spareUser.password);
  // An incident, so that coordinators and the care team have notifications.
  await must(
    t.api(A, 'POST', `/patients/${team}/incidents`, { category: 'fall', severity: 'low', details: 'Setup incident', occurredAt: new Date(Date.now() - 3600_000).toISOString() }),
    'setup incident',
  );
  await t.stack.settle(60_000);
  return t;
}


/** Memoised setup, shared by rows that only read it (promises, so parallel rows do not race). */
const memo = new Map<string, Promise<unknown>>();

/** The world the needs (support/needs/<domain>.ts) make their resources in. */
const world: NeedWorld = {
  get t() {
    return t;
  },
  tok,
  uid,
  patients,
  get spare() {
    return spare;
  },
  get spareToken() {
    return spareToken;
  },
  must,
  once: <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as Promise<T>;
  },
  someoneElse: (role, rel) => {
    const candidates: Role[] = ['coordinator', 'admin', 'clinician'];
    return candidates.find((c) => rel === 'otherOrg' || c !== role)!;
  },
};

/** Makes a need for one row (its entry in NEEDS; assertNeedsDeclared has checked there is one). */
function resolveNeed(need: Need, role: Role, rel: Relationship, n: number, ownsResource: boolean): Promise<NeedResult> {
  const org = orgOf(rel);
  const row: NeedRow = {
    role, rel, n, ownsResource, org,
    patientId: patients[rel],
    caller: tok(role, org),
    admin: tok('admin', 'own'),
    need: (other) => resolveNeed(other, role, rel, n, ownsResource),
  };
  return NEEDS[need]!.resolve(row, world);
}


/** How a row's request is sent: REST over HTTP, or the route's GraphQL field. Answers a REST status and body. */
export type Send = (route: RouteDef, token: string, url: string, body: unknown) => Promise<{ status: number; body: Json }>;

export const sendRest: Send = (route, token, url, body) => t.api(token, route.method, url, body);

export interface MatrixRun {
  cases: number;
  mismatches: string[];
  seconds: number;
}

/**
 * Runs every row of `routes` x the roles x the relationships (all by default) with `send`, and
 * returns the mismatches with the contract.
 */
export async function runMatrix(send: Send, routes: readonly RouteDef[], only: { roles?: readonly Role[]; relationships?: readonly Relationship[] } = {}): Promise<MatrixRun> {
  const mismatches: string[] = [];
  let cases = 0;
  let n = 0;
  const started = Date.now();
  // Routes side by side; one route's rows in sequence (rows of a route may share a resource).
  await pool(routes, 4, async (route) => {
    const key = routeKey(route);
    const entry = MATRIX[key]!;
    for (const rel of only.relationships ?? RELATIONSHIPS) {
      for (const role of only.roles ?? ROLES) {
        const row = ++n;
        const res: RowContext['res'] = {};
        let owned = OWNS_RESOURCE[rel];
        for (const need of entry.needs ?? []) {
          const got = await resolveNeed(need, role, rel, row, owned);
          res[need] = got.value;
          if (got.owned !== undefined) owned = got.owned;
        }
        const org = orgOf(rel);
        const ctx: RowContext = {
          role, rel, n: row, patientId: patients[rel], res,
          colleagueId: uid(role === 'aide' ? 'coordinator' : 'aide', org),
        };
        const expected = expectedOutcome(entry, role, rel, owned);
        const answer = await send(route, tok(role, org), entry.path(ctx), entry.body?.(ctx));
        cases += 1;
        const okStatus = 'ok' in expected ? expected.ok.includes(answer.status) : answer.status === expected.status;
        let problem = okStatus ? '' : `got ${answer.status} ${answer.body?.error?.code ?? ''}, expected ${'ok' in expected ? expected.ok.join('|') : expected.status}`;
        if (okStatus && 'status' in expected) {
          const code = expected.status === 403 ? 'forbidden' : 'not_found';
          if (answer.body?.error?.code !== code) problem = `error code ${answer.body?.error?.code}, expected ${code}`;
        }
        if (okStatus && entry.listsPatient && 'ok' in expected) {
          const listed = (answer.body.items as Array<{ id: string }>).some((p) => p.id === ctx.patientId);
          if (listed !== SEES_PATIENT[rel].includes(role)) problem = `list ${listed ? 'shows' : 'hides'} the patient`;
        }
        if (problem) mismatches.push(`${key} as ${role} (${rel}): ${problem}`);
      }
    }
  });
  return { cases, mismatches, seconds: (Date.now() - started) / 1000 };
}
