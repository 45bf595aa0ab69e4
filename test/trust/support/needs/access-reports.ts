import { defineNeeds } from '../needs.js';
import { REPORTS_ON_PATIENT } from '../matrix.js';

export const NEEDS = defineNeeds({
  accessReport: {
    // The caller's own report where they may ask for one about this patient; else another staff
    // member's of the own org (someoneElse is admin or coordinator, never the caller).
    resolve: async (r, w) => {
      const owned = r.ownsResource && REPORTS_ON_PATIENT[r.rel].includes(r.role);
      const window = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };
      const asker = owned ? r.caller : w.tok(w.someoneElse(r.role, r.rel), 'own');
      const report = await w.must(w.t.api(asker, 'POST', `/patients/${r.patientId}/access-reports`, window), 'access report', 202);
      return { value: report.reportId, owned };
    },
    placeholder: () => '01HOSTILEREPORT',
  },
});
