import { defineNeeds, type NeedRow, type NeedWorld } from '../needs.js';
import { respiteSlot } from '../matrix.js';

/**
 * A session offered to an aide, and optionally accepted (confirmed) and checked in: to the caller
 * when they own the row's resource, else to the spare aide. Only aides may ever call the routes that
 * need these; for other roles the row is a 403 whatever it names, so nothing is made.
 */
async function offered(stage: 'offered' | 'confirmed' | 'inProgress', r: NeedRow, w: NeedWorld) {
  if (r.role !== 'aide') return { value: { patientId: r.patientId, id: '01NOSUCHSESSION', sessionId: '01NOSUCHSESSION', offerId: '01NOSUCHOFFER' } };
  const session = (await r.need('respiteSession')).value;
  const owned = r.ownsResource && r.rel !== 'otherOrg';
  const holder = owned ? r.caller : w.spareToken;
  const path = `/patients/${r.patientId}/respite-sessions/${session.id}`;
  const made = await w.must(w.t.api(r.admin, 'POST', `${path}/offers`, { aideId: owned ? w.uid('aide', 'own') : w.spare }), 'respite offer');
  const value = { patientId: r.patientId, id: session.id, sessionId: session.id, offerId: made.offerId };
  if (stage === 'offered') return { value, owned };
  await w.must(w.t.api(holder, 'POST', `${path}/offers/${made.offerId}/accept`), 'respite accept');
  if (stage === 'inProgress') await w.must(w.t.api(holder, 'POST', `${path}/check-in`, { location: { lat: 40, lng: -75 } }), 'respite check-in');
  return { value, owned };
}

export const NEEDS = defineNeeds({
  caregiverProfile: {
    resolve: async (r, w) => {
      const value = await w.once(`caregiver:${r.org}`, async () => {
        await w.must(w.t.api(w.tok('family', r.org), 'PUT', '/me/caregiver-profile', { fullName: 'Matrix Family', caregiverType: 'family' }), 'caregiver profile');
        return w.uid('family', r.org);
      });
      return { value };
    },
    placeholder: (h) => h.familyId,
  },
  respiteBudget: {
    resolve: async (r, w) => {
      await w.once(`respiteBudget:${r.patientId}`, async () => {
        const year = new Date().getUTCFullYear();
        for (const y of [year, year + 1]) await w.must(w.t.api(r.admin, 'PUT', `/patients/${r.patientId}/respite-budget`, { hoursPerYear: 8000, year: y }), 'respite budget');
      });
      return { value: true };
    },
    placeholder: () => true,
  },
  respiteSession: {
    resolve: async (r, w) => {
      await r.need('respiteBudget');
      const made = await w.must(w.t.api(r.admin, 'POST', `/patients/${r.patientId}/respite-sessions`, { ...respiteSlot(r.n), location: { address: `${r.n} Matrix Lane` } }), 'respite session');
      return { value: { id: made.id, patientId: r.patientId } };
    },
    placeholder: () => ({ id: '01HOSTILESESSION' }),
  },
  respiteOffer: { resolve: (r, w) => offered('offered', r, w), placeholder: () => ({ sessionId: '01HOSTILESESSION', offerId: '01HOSTILEOFFER' }) },
  respiteConfirmed: { resolve: (r, w) => offered('confirmed', r, w), placeholder: () => ({ id: '01HOSTILESESSION' }) },
  respiteInProgress: { resolve: (r, w) => offered('inProgress', r, w), placeholder: () => ({ id: '01HOSTILESESSION' }) },
});
