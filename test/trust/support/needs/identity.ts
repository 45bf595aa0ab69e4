import { defineNeeds } from '../needs.js';

/** People and the org: a patient's current version, the org settings' version, the spare aide (on a team or not). */
export const NEEDS = defineNeeds({
  freshPatientVersion: {
    resolve: async (r, w) => ({ value: (await w.must(w.t.api(r.admin, 'GET', `/patients/${r.patientId}`), 'patient version')).version }),
    placeholder: () => 1,
  },
  orgSettingsVersion: {
    // The caller's own org: staff of the other org change theirs, never this one.
    resolve: async (r, w) => ({ value: (await w.must(w.t.api(w.tok('admin', r.org), 'GET', '/org/settings'), 'org settings')).version }),
    placeholder: () => 1,
  },
  spareMember: {
    resolve: async (_r, w) => ({ value: w.spare }),
    placeholder: (h) => h.aideId,
  },
  spareOnTeam: {
    resolve: async (r, w) => {
      await w.must(w.t.api(r.admin, 'PUT', `/patients/${r.patientId}/care-team/${w.spare}`, { relationship: 'aide' }), 'spare on team');
      return { value: w.spare };
    },
    placeholder: (h) => h.aideId,
  },
});
