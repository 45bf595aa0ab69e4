import { defineNeeds } from '../needs.js';

export const NEEDS = defineNeeds({
  invitation: {
    // Made by the patient's org: its staff may revoke it whoever invited; the other org never sees it.
    resolve: async (r, w) => {
      const body = { email: `revoke-${r.n}-${Date.now()}@example.org`, role: 'family', patientId: w.patients.careTeam };
      return { value: (await w.must(w.t.api(r.admin, 'POST', '/invitations', body), 'invitation')).invitationId, owned: r.rel !== 'otherOrg' };
    },
    placeholder: () => '01HOSTILEINV',
  },
});
