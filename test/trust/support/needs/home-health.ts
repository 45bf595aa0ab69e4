import { defineNeeds, type NeedRow, type NeedWorld } from '../needs.js';
import { SEES_PATIENT, visitBody } from '../matrix.js';

/** A visit assigned (and optionally checked in): to the caller when an aide of this org who sees the patient, else to the spare aide. */
async function assigned(checkedIn: boolean, r: NeedRow, w: NeedWorld) {
  const callerIsAide = r.role === 'aide' && r.rel !== 'otherOrg' && SEES_PATIENT[r.rel].includes('aide');
  const visit = await w.must(w.t.api(r.admin, 'POST', `/patients/${r.patientId}/visits`, visitBody(r.n)), 'visit');
  const made = await w.must(w.t.api(r.admin, 'POST', `/patients/${r.patientId}/visits/${visit.id}/assign`, { aideId: callerIsAide ? w.uid('aide', 'own') : w.spare }), 'assign');
  if (!checkedIn || !callerIsAide) return { value: made };
  return { value: await w.must(w.t.api(r.caller, 'POST', `/patients/${r.patientId}/visits/${visit.id}/check-in`, { location: { lat: 40, lng: -75 } }), 'check-in') };
}

export const NEEDS = defineNeeds({
  visit: {
    resolve: async (r, w) => ({ value: await w.must(w.t.api(r.admin, 'POST', `/patients/${r.patientId}/visits`, visitBody(r.n)), 'visit') }),
    placeholder: () => ({ id: '01HOSTILEVISIT', version: 1 }),
  },
  assignedVisit: { resolve: (r, w) => assigned(false, r, w), placeholder: () => ({ id: '01HOSTILEVISIT', version: 1 }) },
  inProgressVisit: { resolve: (r, w) => assigned(true, r, w), placeholder: () => ({ id: '01HOSTILEVISIT', version: 1 }) },
  supply: {
    resolve: async (r, w) => ({
      value: await w.once(`supply:${r.org}`, async () =>
        w.must(w.t.api(w.tok('admin', r.org), 'POST', '/supplies', { name: 'Matrix gloves', sku: `MXG-${r.org}`, unit: 'box', quantity: 100_000, reorderLevel: 1 }), 'supply'),
      ),
    }),
    placeholder: () => ({ id: '01HOSTILESUPPLY' }),
  },
  aideProfile: {
    resolve: async (r, w) => {
      const profile = { skills: ['personal_care'], homeBase: { lat: 40, lng: -75 }, serviceRadiusKm: 30, availability: { MON: [['08:00', '16:00']] }, timezone: 'UTC' };
      return { value: await w.once(`aideProfile:${r.org}`, () => w.must(w.t.api(w.tok('admin', r.org), 'PUT', `/aides/${w.uid('aide', r.org)}`, profile), 'aide profile')) };
    },
    placeholder: (h) => ({ userId: h.aideId }),
  },
});
