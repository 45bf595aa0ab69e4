/**
 * The patient's record out as FHIR R4, end to end on the local stack: a patient with data in every
 * domain (people, medications and more than 500 doses, a missed and a skipped one, an appointment,
 * lab results and a correction, a treatment plan, a home visit, a respite session, an incident) is
 * exported by a clinician on the care team; every page is valid FHIR R4 by a real validator
 * (test/support/fhir-validator.ts: Medplum's with the R4 definitions, plus required bindings) and
 * its references resolve inside it; the pages are followed by their `next` links; an export with
 * `since` holds what changed after that instant; the same entity keeps its id; each request is one
 * `export` row in the audit trail with its count; GraphQL answers the same Bundle.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient } from '../support/client.js';
import type { Json } from '../support/json.js';
import { validateFhirBundle, validateFhirResource } from '../support/fhir-validator.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let tokens: Record<string, string>;
let margaret: string;
const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;

const year = new Date().getUTCFullYear() + 1;
const at = (day: number, hhmm: string) => `${year}-01-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;
const AS_NEEDED_DOSES = 520;

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
};

async function must(what: string, res: Promise<{ status: number; body: Json }>, ...ok: number[]) {
  const r = await res;
  if (!(ok.length ? ok : [200, 201]).includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs `n` calls with at most `width` at once. */
async function pool(n: number, width: number, call: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await call(next++);
  }));
}

let correctedId: string;
let originalLabId: string;
let preliminaryLabId: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-fhir');
  api = apiClient(stack.outputs);
  tokens = await signInDemoUsers(stack);
  margaret = stack.demoUsers!.patients[0]!.patientId;
  const { coordinator: C, clinician: N, aide: A, family: F } = tokens;
  const P = `/patients/${margaret}`;
  await advance(at(10, '12:00'));
  for (const [role, relationship] of [['clinician', 'clinician'], ['aide', 'aide'], ['family', 'family']] as const) {
    await must(`team ${role}`, api(C, 'PUT', `${P}/care-team/${user(role).userId}`, { relationship }));
  }

  // Medications: an as-needed one with more doses than a page holds, and a timed one whose doses
  // the clock makes due (one missed, one skipped).
  const prn = await must('prn', api(C, 'POST', `${P}/medications`, { name: 'Paracetamol', dosage: '500 mg', schedule: { asNeeded: true, maxDosesPerDay: 48, timezone: 'UTC' } }));
  const t0 = Date.parse(at(10, '11:00'));
  await pool(AS_NEEDED_DOSES, 8, (i) =>
    must(`dose ${i}`, api(A, 'POST', `${P}/doses`, { medicationId: prn.id, takenAt: new Date(t0 - i * 35 * 60_000).toISOString(), reason: 'Pain' })),
  );
  const timed = await must('timed', api(N, 'POST', `${P}/medications`, {
    name: 'Metformin', dosage: '850 mg', instructions: 'With food', schedule: { times: ['08:00'], daysOfWeek: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], timezone: 'UTC', startDate: `${year}-01-10` },
  }));
  await advance(at(11, '10:00')); // the 11th's 08:00 dose is missed (grace 60 min)
  await advance(at(12, '08:30'));
  const due = (await must('doses', api(C, 'GET', `${P}/doses?from=${at(12, '00:00')}&to=${at(13, '00:00')}`))).items.find((d: { medicationId: string }) => d.medicationId === timed.id);
  await must('skip', api(F, 'POST', `${P}/doses/${due.id}/confirm`, { status: 'skipped', reason: 'Nausea' }));

  // Concierge: the clinician as provider, an appointment, lab results (one corrected), a plan.
  const ALL_DAY = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '24:00']]]));
  await must('provider', api(tokens.admin, 'POST', '/providers', { userId: user('clinician').userId, specialty: 'Geriatrics', timezone: 'UTC', availability: ALL_DAY, slotMinutes: 30, minNoticeMinutes: 0 }));
  await must('appointment', api(C, 'POST', `${P}/appointments`, { providerId: user('clinician').userId, startAt: at(14, '10:00'), reason: 'Review', location: 'video' }));
  const lab = { testCode: '2823-3', testName: 'Potassium', value: 5.9, units: 'mmol/L', referenceRange: { low: 3.5, high: 5.1 }, criticalRange: { high: 6.5 }, collectedAt: at(12, '07:00') };
  const original = await must('lab', api(N, 'POST', `${P}/lab-results`, { ...lab, status: 'final' }));
  originalLabId = original.id;
  correctedId = (await must('correct', api(N, 'POST', `${P}/lab-results/${original.id}/correct`, { ...lab, value: 4.4 }))).id;
  preliminaryLabId = (await must('preliminary', api(N, 'POST', `${P}/lab-results`, { ...lab, testCode: 'NA', testName: 'Sodium', value: 139, units: 'mmol/L', status: 'preliminary', referenceRange: { low: 135, high: 145 }, criticalRange: undefined }))).id;
  const plan = await must('plan', api(N, 'POST', `${P}/treatment-plans`, { title: 'Diabetes care', summary: 'Diet and metformin', startDate: `${year}-01-12`, goals: [{ description: 'HbA1c below 7%', targetDate: `${year}-06-30` }] }));
  await must('activate', api(N, 'PATCH', `${P}/treatment-plans/${plan.id}`, { version: plan.version, status: 'active' }));

  // Home health: the aide's profile, a visit assigned to them, checked in and out.
  await must('aide profile', api(C, 'PUT', `/aides/${user('aide').userId}`, { skills: ['personal_care'], homeBase: { lat: 40, lng: -75 }, serviceRadiusKm: 50, availability: ALL_DAY, timezone: 'UTC' }));
  const visit = await must('visit', api(C, 'POST', `${P}/visits`, { serviceType: 'personal_care', scheduledStart: at(12, '09:00'), scheduledEnd: at(12, '10:00'), location: { lat: 40, lng: -75, address: '1 Elm St' }, tasks: ['bathing'], aideId: user('aide').userId }));
  await advance(at(12, '09:30'));
  await must('visit in', api(A, 'POST', `${P}/visits/${visit.id}/check-in`, { location: { lat: 40, lng: -75 }, at: at(12, '09:02') }));
  await advance(at(12, '09:59'));
  await must('visit out', api(A, 'POST', `${P}/visits/${visit.id}/check-out`, { location: { lat: 40, lng: -75 }, at: at(12, '09:58') }));

  // Respite: a budget, a session the family asks for, offered to and accepted by the aide.
  await must('budget', api(C, 'PUT', `${P}/respite-budget`, { hoursPerYear: 100, year }));
  const session = await must('session', api(F, 'POST', `${P}/respite-sessions`, { startAt: at(15, '09:00'), endAt: at(15, '13:00'), location: { address: '1 Elm St' }, needs: ['companionship'] }));
  const offer = await must('offer', api(C, 'POST', `${P}/respite-sessions/${session.id}/offers`, { aideId: user('aide').userId }));
  await must('accept', api(A, 'POST', `${P}/respite-sessions/${session.id}/offers/${offer.offerId}/accept`));

  // Assisted living: an incident.
  await must('incident', api(A, 'POST', `${P}/incidents`, { category: 'fall', severity: 'high', details: 'Slipped in the bathroom', occurredAt: at(12, '06:30') }));
  await stack.settle(60_000);
}, 600_000);

afterAll(async () => {
  await stopTestStack(stack);
});

/** Every page of an export, following `next` links (relative to the page's own URL). */
async function exportAll(token: string, query = '') {
  const pages: Bundle[] = [];
  let url = `/patients/${margaret}/fhir${query}`;
  // The validation before this call holds the event loop for seconds; meanwhile the server closes
  // its idle keep-alive sockets. One turn of the loop lets fetch see that before it reuses one
  // (else: ECONNRESET on the first request).
  await new Promise((r) => setTimeout(r, 50));
  for (;;) {
    const res = await api<Bundle>(token, 'GET', url);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    pages.push(res.body);
    const next = res.body.link?.find((l) => l.relation === 'next');
    if (!next) return pages;
    const resolved = new URL(next.url, `http://x${url}`);
    url = resolved.pathname + resolved.search;
    expect(pages.length).toBeLessThan(20);
  }
}

const resourcesOf = (pages: Bundle[]) => pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource!));
const byType = (resources: Resource[]) => resources.reduce<Record<string, number>>((n, r) => ({ ...n, [r.resourceType]: (n[r.resourceType] ?? 0) + 1 }), {});
const unique = (resources: Resource[]) => new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));

describe('GET /patients/{patientId}/fhir', () => {
  let pages: Bundle[];

  it('exports the record in pages of at most 500 entries, each valid FHIR R4 whose references resolve inside it', async () => {
    pages = await exportAll(tokens.clinician!);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const unchecked = new Set<string>();
    for (const page of pages) {
      expect(page).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
      expect(page.entry!.length).toBeLessThanOrEqual(500);
      const result = validateFhirBundle(page);
      expect(result.problems).toEqual([]);
      for (const u of result.unchecked) unchecked.add(u.replace(/\[\d+\]/g, '[]'));
    }
    // Say which required bindings could not be expanded offline (none is silently taken as checked).
    console.log(`[figures] FHIR export: ${pages.length} pages, entries ${pages.map((p) => p.entry!.length).join('+')}; resources ${JSON.stringify(byType([...unique(resourcesOf(pages)).values()]))}; required bindings not expandable here: ${[...unchecked].join(', ') || 'none'}`);
  });

  it('holds every domain\'s entities, each once per entity across the pages, with the mappings the contract names', async () => {
    const all = unique(resourcesOf(pages));
    const of = (type: string) => [...all.values()].filter((r) => r.resourceType === type) as Json[];
    expect(of('Patient')).toHaveLength(1);
    expect(of('Patient')[0].identifier[0]).toMatchObject({ type: { coding: [{ code: 'MR' }] }, value: expect.any(String) });
    const administrations = of('MedicationAdministration');
    expect(administrations.filter((a) => a.status === 'completed')).toHaveLength(AS_NEEDED_DOSES);
    expect(administrations.filter((a) => a.status === 'not-done').map((a) => a.statusReason[0].coding[0].code).sort()).toEqual(['missed', 'skipped']);
    // Every dose once: no MedicationAdministration is on two pages.
    expect(pages.flatMap((p) => p.entry!.map((e) => e.resource!)).filter((r) => r.resourceType === 'MedicationAdministration')).toHaveLength(AS_NEEDED_DOSES + 2);
    expect(of('MedicationRequest').map((m) => m.dosageInstruction[0].asNeededBoolean).sort()).toEqual([false, true]);
    expect(of('MedicationRequest').find((m) => !m.dosageInstruction[0].asNeededBoolean).dosageInstruction[0].timing.repeat.timeOfDay).toEqual(['08:00:00']);
    expect(of('Appointment')).toMatchObject([{ status: 'booked' }]);
    const corrected = of('Observation').find((o) => o.id === correctedId);
    expect(corrected.status).toBe('corrected');
    expect(corrected.extension).toEqual([
      { url: 'http://hl7.org/fhir/StructureDefinition/observation-replaces', valueReference: { reference: `Observation/${originalLabId}` } },
    ]);
    expect(of('Observation').find((o) => o.id === originalLabId).interpretation[0].coding[0].code).toBe('H');
    expect(of('Observation').find((o) => o.id === preliminaryLabId).status).toBe('preliminary');
    expect(of('CarePlan')).toMatchObject([{ status: 'active', intent: 'plan' }]);
    expect(of('Encounter').map((e) => e.status).sort()).toEqual(['finished', 'planned']);
    expect(of('AdverseEvent')).toMatchObject([{ actuality: 'actual', severity: { coding: [{ code: 'severe' }] } }]);
    expect(of('Practitioner').map((p) => p.id)).toEqual(expect.arrayContaining([user('clinician').userId, user('aide').userId]));
    expect(of('RelatedPerson').map((p) => p.id)).toEqual([user('family').userId]);
  });

  it('gives the same entity the same id in every export', async () => {
    const again = unique(resourcesOf(await exportAll(tokens.coordinator!)));
    const first = unique(resourcesOf(pages));
    expect([...again.keys()].sort()).toEqual([...first.keys()].sort());
  });

  it("shows the patient what the API shows them: no preliminary results", async () => {
    const mine = unique(resourcesOf(await exportAll(tokens.patient!)));
    expect(mine.has(`Observation/${preliminaryLabId}`)).toBe(false);
    expect(mine.has(`Observation/${correctedId}`)).toBe(true);
  });

  it('with since, holds what changed after that instant and what it refers to', async () => {
    // Before the 20th's 08:00 dose exists: the incident is the one change after `since`.
    const since = at(20, '00:00');
    await advance(at(20, '07:00'));
    await must('incident', api(tokens.aide, 'POST', `/patients/${margaret}/incidents`, { category: 'behavior', severity: 'low', details: 'Agitated at night', occurredAt: at(20, '02:00') }));
    await stack.settle();
    const changed = await exportAll(tokens.clinician!, `?since=${encodeURIComponent(since)}`);
    expect(changed).toHaveLength(1);
    expect(validateFhirBundle(changed[0]!).problems).toEqual([]);
    expect(byType(resourcesOf(changed))).toEqual({ Patient: 1, AdverseEvent: 1, Practitioner: 1 });
    expect(changed[0]!.link!.find((l) => l.relation === 'self')!.url).toContain('since=');
  });

  it('audits each request as one export with its count', async () => {
    await stack.settle();
    const rows = await queryAudit(
      stack.dataDir,
      `SELECT actor_id, resource_count FROM audit_events WHERE org = '${stack.demoUsers!.orgId}' AND action = 'export' AND entity_type = 'Patient' AND entity_id = '${margaret}' AND actor_id = '${user('clinician').userId}' ORDER BY "at"`,
    );
    expect(rows.slice(0, pages.length).map((r) => Number(r.resource_count))).toEqual(pages.map((p) => p.entry!.length));
  });

  it('answers another org, a bad cursor, a bad since and a role that never may', async () => {
    expect((await api(tokens['admin@other'], 'GET', `/patients/${margaret}/fhir`)).status).toBe(404);
    expect((await api(tokens.family, 'GET', `/patients/${margaret}/fhir`)).status).toBe(403);
    const walter = stack.demoUsers!.patients[1]!.patientId;
    const next = pages[0]!.link!.find((l) => l.relation === 'next')!.url;
    const cursor = new URL(next, 'http://x/').searchParams.get('cursor')!;
    const foreign = await api(tokens.coordinator, 'GET', `/patients/${walter}/fhir?cursor=${encodeURIComponent(cursor)}`);
    expect(foreign.status).toBe(400);
    expect((await api(tokens.coordinator, 'GET', `/patients/${margaret}/fhir?since=yesterday`)).body.error.code).toBe('validation_failed');
  });

  it('answers the same Bundle as the GraphQL field exportPatientFhir (AWSJSON)', async () => {
    const res = await fetch(stack.outputs.GraphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokens.clinician! },
      body: JSON.stringify({ query: 'query ($p: ID!) { exportPatientFhir(patientId: $p) }', variables: { p: margaret } }),
    });
    const body = (await res.json()) as { data: { exportPatientFhir: unknown }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const raw = body.data.exportPatientFhir;
    const bundle = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Bundle;
    expect(bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`)).toEqual(pages[0]!.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
  });
});

describe('the validator the suite uses', () => {
  it('catches a broken resource: a missing required element, a code outside a required value set, a dangling reference', () => {
    const ok = { resourceType: 'Observation', id: 'x', status: 'final', code: { text: 'K' }, subject: { reference: 'Patient/p' } } as Resource;
    expect(validateFhirResource(ok).problems).toEqual([]);
    const { status: _s, ...noStatus } = ok as Json;
    expect(validateFhirResource(noStatus).problems.join()).toMatch(/status/);
    expect(validateFhirResource({ ...ok, status: 'finished' } as Json).problems.join()).toMatch(/required value set/);
    expect(validateFhirResource({ resourceType: 'AdverseEvent', id: 'a', actuality: 'actual', subject: { reference: 'Patient/p' }, severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'critical' }] } } as Json).problems.join()).toMatch(/required value set/);
    const dangling = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: ok }] } as Bundle;
    expect(validateFhirBundle(dangling).problems.join()).toMatch(/Patient\/p does not resolve/);
  });
});
