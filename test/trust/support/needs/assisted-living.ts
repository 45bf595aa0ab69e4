import { defineNeeds } from '../needs.js';
import { SEES_PATIENT } from '../matrix.js';

export const NEEDS = defineNeeds({
  incident: {
    // Staff, or the reporter: the caller reports it when their role may and they see the patient.
    resolve: async (r, w) => {
      const reporter = ['admin', 'coordinator', 'aide', 'clinician'].includes(r.role) && SEES_PATIENT[r.rel].includes(r.role) ? r.caller : r.admin;
      const body = { category: 'behavior', severity: 'low', details: `Matrix ${r.n}`, occurredAt: new Date(Date.now() - 600_000).toISOString() };
      return { value: await w.must(w.t.api(reporter, 'POST', `/patients/${r.patientId}/incidents`, body), 'incident') };
    },
    placeholder: () => ({ id: '01HOSTILEINCIDENT', version: 1 }),
  },
});
