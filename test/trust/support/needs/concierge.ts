import { defineNeeds, type NeedRow, type NeedWorld } from '../needs.js';
import { SEES_PATIENT } from '../matrix.js';

/**
 * Medical concierge: a provider of the org that no role caller is (so that bookings adding it to
 * care teams change no row's relationship), the provider a row may change (a clinician's own
 * profile), a clinician user without a profile, an appointment (with the caller as provider when a
 * clinician who sees the patient), lab results, a draft plan.
 */
const ALL_DAY = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '24:00']]]));
const PROVIDER_RULES = { specialty: 'Matrix medicine', timezone: 'UTC', availability: ALL_DAY, slotMinutes: 30, minNoticeMinutes: 0, horizonDays: 365 };
/** A distinct half-hour per row, `daysAhead` on (as matrix.ts's rows book theirs). */
const rowSlot = (n: number, daysAhead: number) =>
  new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + daysAhead * 86_400_000 + n * 30 * 60_000).toISOString();
const LAB_BODY = { testCode: 'K', testName: 'Potassium', value: 4.2, units: 'mmol/L', referenceRange: { low: 3.5, high: 5 }, criticalRange: { high: 6.5 }, collectedAt: '2026-01-01T08:00:00Z' };

/** The org's matrix provider: a clinician no role caller is. */
const matrixProvider = (w: NeedWorld) =>
  w.once('matrixProvider', async () => {
    const A = w.tok('admin', 'own');
    const user = await w.must(w.t.api(A, 'POST', '/users', { email: 'provider.matrix@sunrise.example', displayName: 'Matrix Provider', role: 'clinician' }), 'matrix provider user');
    await w.must(w.t.api(A, 'POST', '/providers', { userId: user.userId, ...PROVIDER_RULES }), 'matrix provider profile');
    return { id: user.userId as string, token: await w.t.signIn(user.email, user.password) };
  });
/** The demo clinician's own profile (rows where the clinician acts as "the provider"). */
const ownProvider = (w: NeedWorld) =>
  w.once('ownProvider', async () => {
    await w.must(w.t.api(w.tok('admin', 'own'), 'POST', '/providers', { userId: w.uid('clinician', 'own'), ...PROVIDER_RULES }), 'own provider profile');
    return w.uid('clinician', 'own');
  });
const freshProvider = async (w: NeedWorld, id: string) => {
  const p = await w.must(w.t.api(w.tok('admin', 'own'), 'GET', `/providers/${id}`), 'provider');
  return { id, version: p.version as number };
};
/** The matrix provider as a clinician on the patient's care team (it records lab results and plans). */
const labClinician = async (w: NeedWorld, patientId: string) => {
  const p = await matrixProvider(w);
  await w.once(`labClinician:${patientId}`, () => w.must(w.t.api(w.tok('admin', 'own'), 'PUT', `/patients/${patientId}/care-team/${p.id}`, { relationship: 'clinician' }), 'lab clinician on team'));
  return p.token;
};
const labResult = (status: 'preliminary' | 'final', value?: number) => ({
  resolve: async (r: NeedRow, w: NeedWorld) => {
    const body = { ...LAB_BODY, status, ...(value === undefined ? {} : { value }) };
    return { value: await w.must(w.t.api(await labClinician(w, r.patientId), 'POST', `/patients/${r.patientId}/lab-results`, body), `lab result (${status})`) };
  },
  placeholder: () => ({ id: '01HOSTILELAB' }),
});

export const NEEDS = defineNeeds({
  provider: {
    resolve: async (r, w) => ({ value: await freshProvider(w, (await matrixProvider(w)).id), owned: r.rel !== 'otherOrg' }),
    placeholder: () => ({ id: '01HOSTILEPROV', version: 1 }),
  },
  providerToChange: {
    // Admin or the provider: a clinician's row is about its own profile.
    resolve: async (r, w) => {
      const id = r.role === 'clinician' && r.rel !== 'otherOrg' ? await ownProvider(w) : (await matrixProvider(w)).id;
      return { value: await freshProvider(w, id), owned: r.rel !== 'otherOrg' };
    },
    placeholder: () => ({ id: '01HOSTILEPROV', version: 1 }),
  },
  spareClinician: {
    resolve: async (r, w) => {
      const body = { email: `clinician-${r.n}-${Date.now()}@matrix.example`, displayName: `Matrix clinician ${r.n}`, role: 'clinician' };
      return { value: (await w.must(w.t.api(w.tok('admin', r.org), 'POST', '/users', body), 'spare clinician')).userId };
    },
    placeholder: () => '01HOSTILECLIN',
  },
  appointment: {
    // A clinician who sees the patient is the row's provider (so "the provider" may act); others get
    // the matrix provider's appointment.
    resolve: async (r, w) => {
      const providerId = r.role === 'clinician' && SEES_PATIENT[r.rel].includes('clinician') ? await ownProvider(w) : (await matrixProvider(w)).id;
      return { value: await w.must(w.t.api(r.admin, 'POST', `/patients/${r.patientId}/appointments`, { providerId, startAt: rowSlot(r.n, 60) }), 'appointment') };
    },
    placeholder: () => ({ id: '01HOSTILEAPPT' }),
  },
  labResult: labResult('preliminary'),
  finalLab: labResult('final'),
  criticalLab: labResult('final', 7.1),
  plan: {
    resolve: async (r, w) => {
      const body = { title: `Plan ${r.n}`, summary: 'Matrix', startDate: '2026-01-01' };
      return { value: await w.must(w.t.api(await labClinician(w, r.patientId), 'POST', `/patients/${r.patientId}/treatment-plans`, body), 'plan') };
    },
    placeholder: () => ({ id: '01HOSTILEPLAN', version: 1 }),
  },
});
