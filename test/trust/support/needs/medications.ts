import { defineNeeds } from '../needs.js';

export const NEEDS = defineNeeds({
  medication: {
    resolve: async (r, w) => ({
      value: await w.must(
        w.t.api(r.admin, 'POST', `/patients/${r.patientId}/medications`, { name: `Med ${r.n}`, dosage: '5 mg', schedule: { asNeeded: true, maxDosesPerDay: 4 } }),
        'medication',
      ),
    }),
    placeholder: () => ({ id: '01HOSTILEMED', version: 1 }),
  },
  asNeededMedication: {
    resolve: async (r, w) => ({
      value: await w.once(`asNeeded:${r.patientId}`, async () =>
        (await w.must(
          w.t.api(r.admin, 'POST', `/patients/${r.patientId}/medications`, { name: 'Paracetamol', dosage: '500 mg', schedule: { asNeeded: true, maxDosesPerDay: 48 } }),
          'as-needed medication',
        )).id,
      ),
    }),
    placeholder: () => '01HOSTILEMED',
  },
  dose: {
    resolve: async (r, w) => {
      const medicationId = (await r.need('asNeededMedication')).value;
      const dose = await w.must(
        w.t.api(r.admin, 'POST', `/patients/${r.patientId}/doses`, { medicationId, takenAt: new Date(Date.now() - 60_000).toISOString(), reason: 'Pain' }),
        'dose',
      );
      return { value: dose.id };
    },
    placeholder: () => '01HOSTILEDOSE',
  },
});
