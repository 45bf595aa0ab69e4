/**
 * Hostile input (issue 6, part 2): property-based requests to every route of the route table, each
 * with at least one defect (wrong types, missing and unknown fields, huge strings, deep nesting,
 * invalid dates and time zones, unicode edge cases, ids of another org, malformed JSON and headers,
 * bodies over 256 KB, bad query strings). Every answer must be a 4xx in the contract's error shape,
 * and nothing may be written: no new table item, no new audit record.
 *
 * Most requests go in-process through the gateway's request path (`stack.invoke`: the same route
 * matching, limits, token check, proxy event and handler as HTTP); every 20th goes over HTTP.
 * Replay a failure with CARESTACK_TRUST_SEED=<seed printed by the run>.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import { ROUTES, routeKey, type RouteDef } from '../../lambdas/routes.js';
import { MATRIX, type RowContext } from './support/matrix.js';
import { startTrustStack, type TrustStack } from './support/stack.js';

const SEED = Number(process.env.CARESTACK_TRUST_SEED ?? Date.now() % 2 ** 31);
const RUNS_PER_ROUTE = Number(process.env.CARESTACK_TRUST_RUNS ?? Math.ceil(10_500 / ROUTES.length));
fc.configureGlobal({ seed: SEED });

let t: TrustStack;
let admin: string;
let patientId: string;
let otherOrgPatient: string;
let otherOrgUser: string;

beforeAll(async () => {
  t = await startTrustStack('hostile');
  admin = t.token('admin');
  patientId = t.stack.demoUsers!.patients[0]!.patientId;
  otherOrgPatient = t.stack.demoUsers!.otherOrg.patients[0]!.patientId;
  otherOrgUser = t.user('aide', 'other').userId;
});

afterAll(async () => {
  await t?.stop();
});

/** A well-formed body for the route (from the matrix), which each case then breaks. */
function validBody(route: RouteDef): Record<string, unknown> | undefined {
  const entry = MATRIX[routeKey(route)];
  if (!route.body || !entry?.body) return undefined;
  const ctx: RowContext = {
    role: 'admin', rel: 'careTeam', n: 1, patientId, colleagueId: t.user('aide').userId,
    res: {
      freshPatientVersion: 1, spareMember: t.user('aide').userId, spareOnTeam: t.user('aide').userId,
      incident: { id: '01HOSTILEINCIDENT', version: 1 }, medication: { id: '01HOSTILEMED', version: 1 },
      asNeededMedication: '01HOSTILEMED', dose: '01HOSTILEDOSE', conversation: { id: '01HOSTILECONV', messageId: '01HOSTILEMSG' },
      attachment: '01HOSTILEATT', notification: { id: '01HOSTILENOTE' }, orgSettingsVersion: 1, device: '0123456789abcdef0123456789abcdef',
      caregiverProfile: t.user('family').userId, respiteBudget: true, respiteSession: { id: '01HOSTILESESSION' },
      respiteOffer: { sessionId: '01HOSTILESESSION', offerId: '01HOSTILEOFFER' }, respiteConfirmed: { id: '01HOSTILESESSION' }, respiteInProgress: { id: '01HOSTILESESSION' },
      provider: { id: '01HOSTILEPROV', version: 1 }, providerToChange: { id: '01HOSTILEPROV', version: 1 }, spareClinician: '01HOSTILECLIN',
      appointment: { id: '01HOSTILEAPPT' }, labResult: { id: '01HOSTILELAB' }, finalLab: { id: '01HOSTILELAB' }, criticalLab: { id: '01HOSTILELAB' },
      plan: { id: '01HOSTILEPLAN', version: 1 },
      visit: { id: '01HOSTILEVISIT', version: 1 }, assignedVisit: { id: '01HOSTILEVISIT', version: 1 }, inProgressVisit: { id: '01HOSTILEVISIT', version: 1 },
      supply: { id: '01HOSTILESUPPLY' }, aideProfile: { userId: t.user('aide').userId }, invitation: '01HOSTILEINV',
    },
  };
  return entry.body(ctx) as Record<string, unknown>;
}

const UNICODE = ['\u0000', '\ud800', '\udfff', 'a\ud83d', '\u202e', '\u200b', '\ufeff', '\u2028', 'שלום\u202b', '\u0301', '\uffff', '😀'.repeat(3)];
const unicodeString = fc.tuple(fc.constantFrom(...UNICODE), fc.string({ maxLength: 8 }), fc.constantFrom(...UNICODE)).map(([a, b, c]) => `${a}${b}${c}`);
const BAD_DATES = ['2024-13-45T99:99:99Z', 'yesterday', '', '0', '2024-02-30', '+275760-09-13T00:00:00.001Z', 'NaN', '1e309'];
const BAD_ZONES = ['Mars/Olympus_Mons', 'UTC+25', '../../etc/passwd', 'America/Nowhere', ' '];
const deep = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
/** A value of another JSON type than `like`. */
const otherType = (like: unknown) =>
  fc.oneof(
    fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.string({ maxLength: 20 }),
  ).filter((v) => typeof v !== typeof like || Array.isArray(v) !== Array.isArray(like) || (v === null) !== (like === null)).filter((v) => !(typeof like === 'object' && like !== null && typeof v === 'object' && v !== null));

/** Percent-encodes anything, lone surrogates too (as the bytes of U+FFFD, as a client library would). */
const enc = (v: string): string => {
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
};

interface Req { url: string; body?: string; headers: Record<string, string>; token?: string | null; kind: string }

/** Requests for a route, each with at least one defect. */
function hostileRequests(route: RouteDef): fc.Arbitrary<Req> {
  const base = validBody(route);
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const goodPath = (over: Record<string, string> = {}) =>
    route.path.replace(/\{(\w+)\}/g, (_, p: string) => enc(over[p] ?? (p === 'patientId' ? patientId : `01HOSTILE${p.toUpperCase()}`)));
  const json = (v: unknown) => JSON.stringify(v);
  const withBody = (body: unknown, kind: string): Req => ({ url: goodPath(), body: json(body), headers: { 'Content-Type': 'application/json' }, kind });
  const cases: Array<fc.Arbitrary<Req>> = [];
  const jsonHeaders: Record<string, string> = base ? { 'Content-Type': 'application/json' } : {};

  if (base) {
    const keys = Object.keys(base);
    cases.push(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !keys.includes(k) && k !== '__proto__'), fc.oneof(fc.jsonValue({ maxDepth: 3 }), unicodeString)).map(([k, v]) => withBody({ ...base, [k]: v }, 'unknown field')));
    cases.push(fc.constantFrom(...keys).chain((k) => otherType(base[k]).map((v) => withBody({ ...base, [k]: v }, `wrong type ${k}`))));
    cases.push(fc.subarray(keys.slice(1)).map((drop) => withBody(Object.fromEntries(Object.entries(base).filter(([k]) => k !== keys[0] && !drop.includes(k))), `missing ${keys[0]}`)));
    const strings = keys.filter((k) => typeof base[k] === 'string');
    if (strings.length) {
      cases.push(fc.tuple(fc.constantFrom(...strings), fc.integer({ min: 10_001, max: 60_000 }), fc.constantFrom('x', 'é', '\u202e')).map(([k, n, ch]) => withBody({ ...base, [k]: ch.repeat(n) }, `huge ${k}`)));
      cases.push(fc.tuple(fc.constantFrom(...strings), fc.constantFrom('\u0000', 'a\u0000b', '\u0007', '\u001b[31m')).map(([k, v]) => withBody({ ...base, [k]: v }, `control chars in ${k}`)));
    }
    const dated = keys.filter((k) => /At$|date|Date/.test(k));
    if (dated.length) cases.push(fc.tuple(fc.constantFrom(...dated), fc.constantFrom(...BAD_DATES)).map(([k, v]) => withBody({ ...base, [k]: v }, `bad date ${k}`)));
    if (route.path.includes('medications') && route.method === 'POST') {
      cases.push(fc.constantFrom(...BAD_ZONES).map((tz) => withBody({ ...base, schedule: { times: ['08:00'], timezone: tz, startDate: '2026-01-01' } }, 'bad time zone')));
    }
    cases.push(fc.integer({ min: 50, max: 3000 }).map((d) => withBody(deep(d, base), 'deep nesting')));
    cases.push(fc.constantFrom('{', '{"a":', '[1,2', '{"x":1}}', 'nul', '\u0000', "{'a':1}", '{"a":1,}').map((b) => ({ url: goodPath(), body: b, headers: { 'Content-Type': 'application/json' }, kind: 'malformed JSON' })));
    cases.push(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml').map((ct) => ({ url: goodPath(), body: json(base), headers: { 'Content-Type': ct }, kind: 'wrong content type' })));
    if (route.idempotent) cases.push(fc.integer({ min: 256, max: 2000 }).map((n) => ({ ...withBody({ ...base, zz: 1 }, 'long Idempotency-Key'), headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k'.repeat(n) } })));
  } else {
    cases.push(fc.oneof(fc.jsonValue({ maxDepth: 4 }), unicodeString).filter((v) => v !== null && v !== '').map((v) => withBody(v, 'body where none is taken')));
  }
  // Every route: bad path ids, other-org ids, bad query strings, bad tokens, oversized bodies.
  if (params.length) {
    cases.push(fc.tuple(fc.constantFrom(...params), fc.oneof(unicodeString, fc.constantFrom('a'.repeat(65), '.x.', '%00', 'ORG#x#PAT#y', 'a b', 'a/b'))).map(([p, v]) => ({ url: goodPath({ [p]: v }), ...(base ? { body: json(base) } : {}), headers: jsonHeaders, kind: `bad id ${p}` })));
  }
  if (params.includes('patientId')) {
    cases.push(fc.constant({ url: goodPath({ patientId: otherOrgPatient }), ...(base ? { body: json(base) } : {}), headers: jsonHeaders, kind: 'other org patient' }));
  }
  if (base && Object.values(base).some((v) => Array.isArray(v) || typeof v === 'string')) {
    const idKeys = Object.keys(base).filter((k) => /Id$|Ids$/.test(k));
    if (idKeys.length) cases.push(fc.constantFrom(...idKeys).map((k) => withBody({ ...base, [k]: Array.isArray(base[k]) ? [otherOrgUser] : otherOrgUser, zz: true }, `other org id in ${k}`)));
  }
  cases.push(fc.oneof(
    fc.constant('limit=101'), fc.constant('limit=0'), fc.constant('limit=-1'), fc.constant('limit=abc'), fc.constant('limit=1e3'),
    fc.constant('cursor=not-a-cursor&unknownParam=1'), unicodeString.map((u) => `zz=${enc(u)}`), fc.constant('limit=%ZZ&cursor=%E0%A4%A'),
  ).map((q) => ({ url: `${goodPath()}?${q}${route.query ? '&zz=1' : ''}`, ...(base ? { body: json({ ...base, zz: 1 }) } : {}), headers: jsonHeaders, kind: 'bad query' })));
  cases.push(fc.constantFrom('Bearer', 'Bearer x.y.z', 'Basic YTpi', `Bearer ${'a'.repeat(5000)}`, 'Bearer \u0000').map((h) => ({ url: goodPath(), headers: { Authorization: h }, token: null, kind: 'bad token' })));
  cases.push(fc.integer({ min: 262_145, max: 400_000 }).map((n) => ({ url: goodPath(), body: json({ pad: 'x'.repeat(n) }), headers: { 'Content-Type': 'application/json' }, kind: 'over 256 KB' })));
  return fc.oneof(...cases);
}

it('answers every generated hostile request with a 4xx in the contract shape and writes nothing', async () => {
  await t.stack.settle(60_000);
  const itemsBefore = await t.countItems();
  const auditBefore = Number((await queryAudit(t.stack.dataDir, 'SELECT count(*) AS n FROM audit_events'))[0]!.n);
  const started = Date.now();
  let total = 0;
  let overHttp = 0;
  const byStatus = new Map<number, number>();
  const routes = ROUTES.filter((r) => r.auth);
  await Promise.all(
    routes.map((route) =>
      fc.assert(
        fc.asyncProperty(hostileRequests(route), async (req) => {
          total += 1;
          // fetch cannot send a GET with a body: those stay in-process.
          const http = total % 20 === 0 && !(route.method === 'GET' && req.body !== undefined);
          const headers = { ...(req.token === null ? {} : { Authorization: `Bearer ${admin}` }), ...req.headers };
          let status = 0;
          let text = '';
          // fetch refuses some hostile headers itself (a NUL in a value): those stay in-process.
          const viaHttp = http
            ? await fetch(`${t.stack.outputs.ApiUrl}${req.url}`, { method: route.method, headers, ...(req.body !== undefined ? { body: req.body } : {}) }).catch((err: unknown) => {
                if (err instanceof TypeError) return undefined;
                throw err;
              })
            : undefined;
          if (viaHttp) {
            overHttp += 1;
            status = viaHttp.status;
            text = await viaHttp.text();
          } else {
            const res = await t.stack.invoke({ method: route.method, url: req.url, rawHeaders: Object.entries(headers).flat(), ...(req.body !== undefined ? { body: req.body } : {}) });
            status = res.status;
            text = res.body;
          }
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          const where = `${routeKey(route)} [${req.kind}] ${req.url.slice(0, 120)} -> ${status} ${text.slice(0, 200)}`;
          if (status < 400 || status >= 500) throw new Error(`not a 4xx: ${where}`);
          const body = JSON.parse(text);
          if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') throw new Error(`not the error shape: ${where}`);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED },
      ),
    ),
  );
  await t.stack.settle(60_000);
  const itemsAfter = await t.countItems();
  const auditAfter = Number((await queryAudit(t.stack.dataDir, 'SELECT count(*) AS n FROM audit_events'))[0]!.n);
  console.log(
    `[trust] hostile input: seed=${SEED} requests=${total} (in-process ${total - overHttp}, HTTP ${overHttp}) routes=${routes.length} ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; ` +
      `table items ${itemsBefore} -> ${itemsAfter}; audit records ${auditBefore} -> ${auditAfter}`,
  );
  expect(total).toBeGreaterThanOrEqual(10_000);
  expect(itemsAfter).toBe(itemsBefore);
  expect(auditAfter).toBe(auditBefore);
});
