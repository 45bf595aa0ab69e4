/**
 * The hostile-input generator (issue 6, part 2), shared by the REST run (hostile-input.test.ts) and
 * the GraphQL run (hostile-input-graphql.test.ts): property-based requests to a route of the route
 * table, each with at least one defect (wrong types, missing and unknown fields, huge strings, deep
 * nesting, invalid dates and time zones, unicode edge cases, ids of another org, malformed JSON and
 * headers, bodies over 256 KB, bad query strings), written as the REST request.
 */
import fc from 'fast-check';
import { routeKey, type RouteDef } from '../../../lambdas/routes.js';
import { MATRIX, type RowContext } from './matrix.js';

/** The ids the generated requests name. */
export interface HostileWorld {
  patientId: string;
  otherOrgPatient: string;
  otherOrgUser: string;
  aideId: string;
  familyId: string;
}

/** A well-formed body for the route (from the matrix), which each case then breaks. */
function validBody(route: RouteDef, w: HostileWorld): Record<string, unknown> | undefined {
  const entry = MATRIX[routeKey(route)];
  if (!route.body || !entry?.body) return undefined;
  const ctx: RowContext = {
    role: 'admin', rel: 'careTeam', n: 1, patientId: w.patientId, colleagueId: w.aideId,
    res: {
      freshPatientVersion: 1, spareMember: w.aideId, spareOnTeam: w.aideId,
      incident: { id: '01HOSTILEINCIDENT', version: 1 }, medication: { id: '01HOSTILEMED', version: 1 },
      asNeededMedication: '01HOSTILEMED', dose: '01HOSTILEDOSE', conversation: { id: '01HOSTILECONV', messageId: '01HOSTILEMSG' },
      orgConversation: { id: '01HOSTILECONV' },
      attachment: '01HOSTILEATT', notification: { id: '01HOSTILENOTE' }, orgSettingsVersion: 1, device: '0123456789abcdef0123456789abcdef',
      caregiverProfile: w.familyId, respiteBudget: true, respiteSession: { id: '01HOSTILESESSION' },
      respiteOffer: { sessionId: '01HOSTILESESSION', offerId: '01HOSTILEOFFER' }, respiteConfirmed: { id: '01HOSTILESESSION' }, respiteInProgress: { id: '01HOSTILESESSION' },
      provider: { id: '01HOSTILEPROV', version: 1 }, providerToChange: { id: '01HOSTILEPROV', version: 1 }, spareClinician: '01HOSTILECLIN',
      appointment: { id: '01HOSTILEAPPT' }, labResult: { id: '01HOSTILELAB' }, finalLab: { id: '01HOSTILELAB' }, criticalLab: { id: '01HOSTILELAB' },
      plan: { id: '01HOSTILEPLAN', version: 1 },
      visit: { id: '01HOSTILEVISIT', version: 1 }, assignedVisit: { id: '01HOSTILEVISIT', version: 1 }, inProgressVisit: { id: '01HOSTILEVISIT', version: 1 },
      supply: { id: '01HOSTILESUPPLY' }, aideProfile: { userId: w.aideId }, invitation: '01HOSTILEINV',
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

export interface Req { url: string; body?: string; headers: Record<string, string>; token?: string | null; kind: string }

/** Requests for a route, each with at least one defect. */
export function hostileRequests(route: RouteDef, w: HostileWorld): fc.Arbitrary<Req> {
  const { patientId, otherOrgPatient, otherOrgUser } = w;
  const base = validBody(route, w);
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
    // API.md: a route without a body accepts no body, an empty body or `{}` (what post(url, {}) sends).
    const isEmptyObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
    cases.push(fc.oneof(fc.jsonValue({ maxDepth: 4 }), unicodeString).filter((v) => v !== null && v !== '' && !isEmptyObject(v)).map((v) => withBody(v, 'body where none is taken')));
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

