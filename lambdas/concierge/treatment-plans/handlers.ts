import { routeHandlers, type ConciergeContext } from '../context.js';
import { TreatmentPlanRepository } from './repository.js';
import { TreatmentPlanService } from './service.js';

/** The treatment-plan routes: one line each to a use case. */
export function treatmentPlanHandlers(ctx: ConciergeContext) {
  const service = new TreatmentPlanService(new TreatmentPlanRepository(ctx.db), ctx.policy);
  return routeHandlers({
    'POST /patients/{patientId}/treatment-plans': ({ caller, write, params, body, idempotency }) => service.createPlan(caller, write, params.patientId, body, idempotency),
    'PATCH /patients/{patientId}/treatment-plans/{planId}': ({ caller, write, params, body }) => service.updatePlan(caller, write, params.patientId, params.planId, body),
    'GET /patients/{patientId}/treatment-plans': ({ caller, params, query }) => service.listPlans(caller, params.patientId, query),
  });
}
