/**
 * The authorisation matrix's runner (support/matrix.ts holds the rows): one local stack with real
 * tokens, the orgs, users, patients and relationships the rows name, the resources a row needs
 * (resolveNeed), and the loop that sends every route x role x relationship and compares the answer
 * with the contract's. The transport is a parameter: REST over HTTP (authorisation-matrix.test.ts)
 * or the route's GraphQL field (authorisation-matrix-graphql.test.ts), so both run the same cases.
 * Resources are always made over REST: setup is not what is being tested.
 */
import { routeKey, type RouteDef } from '../../../lambdas/routes.js';
import type { Role } from '../../../schemas/roles.js';
import { expectedOutcome, MATRIX, RELATIONSHIPS, REPORTS_ON_PATIENT, respiteSlot, ROLES, SEES_PATIENT, OWNS_RESOURCE, visitBody, type Need, type Relationship, type RowContext } from './matrix.js';
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
  t = await startTrustStack(name);
  t = await startTrustStack('matrix');
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
const memo = new Map<string, Promise<Json>>();
const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key)!;
};

/** An org-1 user other than the caller, for resources the caller must not own. */
const someoneElse = (role: Role, rel: Relationship): Role => {
  const candidates: Role[] = ['coordinator', 'admin', 'clinician'];
  return candidates.find((c) => rel === 'otherOrg' || c !== role)!;
};

const ALL_DAY = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '24:00']]]));
const PROVIDER_RULES = { specialty: 'Matrix medicine', timezone: 'UTC', availability: ALL_DAY, slotMinutes: 30, minNoticeMinutes: 0, horizonDays: 365 };
/** A distinct half-hour per row, `daysAhead` on (as matrix.ts's rows book theirs). */
const rowSlot = (n: number, daysAhead: number) =>
  new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + daysAhead * 86_400_000 + n * 30 * 60_000).toISOString();

/** The org's matrix provider: a clinician no role caller is, so bookings that add it to care teams change no row. */
const matrixProvider = () =>
  once('matrixProvider', async () => {
    const A = tok('admin', 'own');
    const user = await must(t.api(A, 'POST', '/users', { email: 'provider.matrix@sunrise.example', displayName: 'Matrix Provider', role: 'clinician' }), 'matrix provider user');
    await must(t.api(A, 'POST', '/providers', { userId: user.userId, ...PROVIDER_RULES }), 'matrix provider profile');
    return { id: user.userId as string, token: await t.signIn(user.email, user.password) };
  });
/** The demo clinician's own profile (rows where the clinician acts as "the provider"). */
const ownProvider = () =>
  once('ownProvider', async () => {
    await must(t.api(tok('admin', 'own'), 'POST', '/providers', { userId: uid('clinician', 'own'), ...PROVIDER_RULES }), 'own provider profile');
    return uid('clinician', 'own');
  });
const freshProvider = async (id: string) => {
  const p = await must(t.api(tok('admin', 'own'), 'GET', `/providers/${id}`), 'provider');
  return { id, version: p.version as number };
};
/** The matrix provider as a clinician on the patient's care team (it records lab results and plans). */
const labClinician = async (patientId: string) => {
  const p = await matrixProvider();
  await once(`labClinician:${patientId}`, () => must(t.api(tok('admin', 'own'), 'PUT', `/patients/${patientId}/care-team/${p.id}`, { relationship: 'clinician' }), 'lab clinician on team'));
  return p.token;
};
const LAB_BODY = { testCode: 'K', testName: 'Potassium', value: 4.2, units: 'mmol/L', referenceRange: { low: 3.5, high: 5 }, criticalRange: { high: 6.5 }, collectedAt: '2026-01-01T08:00:00Z' };

async function resolveNeed(need: Need, role: Role, rel: Relationship, n: number, ownsResource: boolean): Promise<{ value: Json; owned?: boolean }> {
  const A = tok('admin', 'own');
  const patientId = patients[rel];
  const caller = tok(role, orgOf(rel));
  switch (need) {
    case 'freshPatientVersion':
      return { value: (await must(t.api(A, 'GET', `/patients/${patientId}`), 'patient version')).version };
    case 'orgSettingsVersion':
      // The caller's own org: staff of the other org change theirs, never this one.
      return { value: (await must(t.api(tok('admin', orgOf(rel)), 'GET', '/org/settings'), 'org settings')).version };
    case 'spareMember':
      return { value: spare };
    case 'spareOnTeam':
      await must(t.api(A, 'PUT', `/patients/${patientId}/care-team/${spare}`, { relationship: 'aide' }), 'spare on team');
      return { value: spare };
    case 'incident': {
      // Staff, or the reporter: the caller reports it when their role may and they see the patient.
      const reporter = ['admin', 'coordinator', 'aide', 'clinician'].includes(role) && SEES_PATIENT[rel].includes(role) ? caller : A;
      const body = { category: 'behavior', severity: 'low', details: `Matrix ${n}`, occurredAt: new Date(Date.now() - 600_000).toISOString() };
      return { value: await must(t.api(reporter, 'POST', `/patients/${patientId}/incidents`, body), 'incident') };
    }
    case 'medication':
      return {
        value: await must(
          t.api(A, 'POST', `/patients/${patientId}/medications`, { name: `Med ${n}`, dosage: '5 mg', schedule: { asNeeded: true, maxDosesPerDay: 4 } }),
          'medication',
        ),
      };
    case 'asNeededMedication':
      return {
        value: await once(`asNeeded:${patientId}`, async () =>
          (await must(
            t.api(A, 'POST', `/patients/${patientId}/medications`, { name: 'Paracetamol', dosage: '500 mg', schedule: { asNeeded: true, maxDosesPerDay: 48 } }),
            'as-needed medication',
          )).id,
        ),
      };
    case 'dose': {
      const medicationId = (await resolveNeed('asNeededMedication', role, rel, n, ownsResource)).value;
      const dose = await must(
        t.api(A, 'POST', `/patients/${patientId}/doses`, { medicationId, takenAt: new Date(Date.now() - 60_000).toISOString(), reason: 'Pain' }),
        'dose',
      );
      return { value: dose.id };
    }
    case 'conversation': {
      const owned = ownsResource && role !== 'compliance';
      return {
        owned,
        value: await once(`conversation:${rel}:${role}`, async () => {
          const org = orgOf(rel);
          if (owned) {
            const colleague = uid(role === 'aide' ? 'coordinator' : 'aide', org);
            const c = await must(t.api(caller, 'POST', '/conversations', { participantIds: [colleague] }), 'own conversation');
            const m = await must(t.api(caller, 'POST', `/conversations/${c.id}/messages`, { body: 'hello' }), 'first message');
            return { id: c.id, messageId: m.id };
          }
          const creator = someoneElse(role, rel);
          const other = (['aide', 'clinician', 'family'] as Role[]).find((r) => r !== role)!;
          const c = await must(t.api(tok(creator, 'own'), 'POST', '/conversations', { participantIds: [uid(other, 'own')] }), 'foreign conversation');
          const m = await must(t.api(tok(creator, 'own'), 'POST', `/conversations/${c.id}/messages`, { body: 'hello' }), 'first message');
          return { id: c.id, messageId: m.id };
        }),
      };
    }
    case 'orgConversation': {
      // The row's conversation, which staff of its org reach too (a legal hold, its GET).
      const made = await resolveNeed('conversation', role, rel, n, ownsResource);
      return { value: made.value, owned: made.owned === true || (['admin', 'coordinator'].includes(role) && rel !== 'otherOrg') };
    }
    case 'attachment': {
      const owned = ownsResource && role !== 'compliance';
      const uploader = owned ? caller : tok(someoneElse(role, rel), 'own');
      const a = await must(t.api(uploader, 'POST', '/attachments', { fileName: `m${n}.pdf`, contentType: 'application/pdf', size: 100 }), 'attachment');
      return { value: a.attachmentId, owned };
    }
    case 'invitation': {
      // Made by the patient's org: its staff may revoke it whoever invited; the other org never sees it.
      const body = { email: `revoke-${n}-${Date.now()}@example.org`, role: 'family', patientId: patients.careTeam };
      return { value: (await must(t.api(A, 'POST', '/invitations', body), 'invitation')).invitationId, owned: rel !== 'otherOrg' };
    }
    case 'accessReport': {
      // The caller's own report where they may ask for one about this patient; else another staff
      // member's of the own org (someoneElse is admin or coordinator, never the caller).
      const owned = ownsResource && REPORTS_ON_PATIENT[rel].includes(role);
      const window = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };
      const report = await must(t.api(owned ? caller : tok(someoneElse(role, rel), 'own'), 'POST', `/patients/${patientId}/access-reports`, window), 'access report', 202);
      return { value: report.reportId, owned };
    }
    case 'caregiverProfile': {
      const org = orgOf(rel);
      const value = await once(`caregiver:${org}`, async () => {
        await must(t.api(tok('family', org), 'PUT', '/me/caregiver-profile', { fullName: 'Matrix Family', caregiverType: 'family' }), 'caregiver profile');
        return uid('family', org);
      });
      return { value };
    }
    case 'respiteBudget': {
      await once(`respiteBudget:${patientId}`, async () => {
        const year = new Date().getUTCFullYear();
        for (const y of [year, year + 1]) await must(t.api(A, 'PUT', `/patients/${patientId}/respite-budget`, { hoursPerYear: 8000, year: y }), 'respite budget');
      });
      return { value: true };
    }
    case 'respiteSession': {
      await resolveNeed('respiteBudget', role, rel, n, ownsResource);
      const made = await must(t.api(A, 'POST', `/patients/${patientId}/respite-sessions`, { ...respiteSlot(n), location: { address: `${n} Matrix Lane` } }), 'respite session');
      return { value: { id: made.id, patientId } };
    }
    case 'respiteOffer':
    case 'respiteConfirmed':
    case 'respiteInProgress': {
      // Only aides may ever call these routes; for other roles the row is a 403 whatever it names.
      if (role !== 'aide') return { value: { patientId, id: '01NOSUCHSESSION', sessionId: '01NOSUCHSESSION', offerId: '01NOSUCHOFFER' } };
      const session = (await resolveNeed('respiteSession', role, rel, n, ownsResource)).value;
      const owned = ownsResource && rel !== 'otherOrg';
      const holder = owned ? caller : spareToken;
      const made = await must(
        t.api(A, 'POST', `/patients/${patientId}/respite-sessions/${session.id}/offers`, { aideId: owned ? uid('aide', 'own') : spare }),
        'respite offer',
      );
      const value = { patientId, id: session.id, sessionId: session.id, offerId: made.offerId };
      if (need === 'respiteOffer') return { value, owned };
      await must(t.api(holder, 'POST', `/patients/${patientId}/respite-sessions/${session.id}/offers/${made.offerId}/accept`), 'respite accept');
      if (need === 'respiteInProgress') {
        await must(t.api(holder, 'POST', `/patients/${patientId}/respite-sessions/${session.id}/check-in`, { location: { lat: 40, lng: -75 } }), 'respite check-in');
      }
      return { value, owned };
    }
    case 'visit':
      return { value: await must(t.api(A, 'POST', `/patients/${patientId}/visits`, visitBody(n)), 'visit') };
    case 'assignedVisit':
    case 'inProgressVisit': {
      // The caller is the assigned aide when an aide of this org who sees the patient; else the spare aide is.
      const callerIsAide = role === 'aide' && rel !== 'otherOrg' && SEES_PATIENT[rel].includes('aide');
      const visit = await must(t.api(A, 'POST', `/patients/${patientId}/visits`, visitBody(n)), 'visit');
      const assigned = await must(t.api(A, 'POST', `/patients/${patientId}/visits/${visit.id}/assign`, { aideId: callerIsAide ? uid('aide', 'own') : spare }), 'assign');
      if (need === 'assignedVisit' || !callerIsAide) return { value: assigned };
      return { value: await must(t.api(caller, 'POST', `/patients/${patientId}/visits/${visit.id}/check-in`, { location: { lat: 40, lng: -75 } }), 'check-in') };
    }
    case 'supply': {
      const org = orgOf(rel);
      return {
        value: await once(`supply:${org}`, async () =>
          must(t.api(tok('admin', org), 'POST', '/supplies', { name: 'Matrix gloves', sku: `MXG-${org}`, unit: 'box', quantity: 100_000, reorderLevel: 1 }), 'supply'),
        ),
      };
    }
    case 'aideProfile': {
      const org = orgOf(rel);
      const profile = { skills: ['personal_care'], homeBase: { lat: 40, lng: -75 }, serviceRadiusKm: 30, availability: { MON: [['08:00', '16:00']] }, timezone: 'UTC' };
      return { value: await once(`aideProfile:${org}`, () => must(t.api(tok('admin', org), 'PUT', `/aides/${uid('aide', org)}`, profile), 'aide profile')) };
    }
    case 'notification': {
      if (ownsResource) {
        const mine = await must(t.api(caller, 'GET', '/me/notifications?limit=1'), 'my notifications');
        if (mine.items.length > 0) return { value: mine.items[0], owned: true };
      }
      const other = await must(t.api(tok(someoneElse(role, rel), 'own'), 'GET', '/me/notifications?limit=1'), 'notifications');
      // Without notifications of someone else (no fan-out yet), an id that is nobody's: also 404.
      return { value: other.items[0] ?? { id: '01NOSUCHNOTIFICATION0000000' }, owned: false };
    }
    case 'spareClinician': {
      const body = { email: `clinician-${n}-${Date.now()}@matrix.example`, displayName: `Matrix clinician ${n}`, role: 'clinician' };
      return { value: (await must(t.api(tok('admin', orgOf(rel)), 'POST', '/users', body), 'spare clinician')).userId };
    }
    case 'provider':
      return { value: await freshProvider((await matrixProvider()).id), owned: rel !== 'otherOrg' };
    case 'providerToChange': {
      // Admin or the provider: a clinician's row is about its own profile.
      const id = role === 'clinician' && rel !== 'otherOrg' ? await ownProvider() : (await matrixProvider()).id;
      return { value: await freshProvider(id), owned: rel !== 'otherOrg' };
    }
    case 'appointment': {
      // A clinician who sees the patient is the row's provider (so "the provider" may act); others get
      // the matrix provider's appointment.
      const providerId = role === 'clinician' && SEES_PATIENT[rel].includes('clinician') ? await ownProvider() : (await matrixProvider()).id;
      return { value: await must(t.api(A, 'POST', `/patients/${patientId}/appointments`, { providerId, startAt: rowSlot(n, 60) }), 'appointment') };
    }
    case 'labResult':
    case 'finalLab':
    case 'criticalLab': {
      const body = { ...LAB_BODY, status: need === 'labResult' ? 'preliminary' : 'final', ...(need === 'criticalLab' ? { value: 7.1 } : {}) };
      return { value: await must(t.api(await labClinician(patientId), 'POST', `/patients/${patientId}/lab-results`, body), need) };
    }
    case 'plan': {
      const body = { title: `Plan ${n}`, summary: 'Matrix', startDate: '2026-01-01' };
      return { value: await must(t.api(await labClinician(patientId), 'POST', `/patients/${patientId}/treatment-plans`, body), 'plan') };
    }
    case 'device': {
      // The caller's own device, or one registered by someone else (whose id the caller then tries).
      const owner = ownsResource ? caller : tok(someoneElse(role, rel), 'own');
      const d = await must(t.api(owner, 'POST', '/me/devices', { platform: 'apns', token: `matrix-device-${role}-${rel}-${n}` }), 'device');
      return { value: d.id, owned: ownsResource };
    }
  }
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
