import { routeHandlers, type ConciergeContext } from '../context.js';
import { LabResultRepository } from './repository.js';
import { LabResultService } from './service.js';

/** The lab-result routes: one line each to a use case. */
export function labResultHandlers(ctx: ConciergeContext) {
  const service = new LabResultService(new LabResultRepository(ctx.db), ctx.policy, ctx.org, ctx.scheduler, ctx.logger);
  return routeHandlers({
    'POST /patients/{patientId}/lab-results': ({ caller, write, params, body, idempotency }) => service.createLabResult(caller, write, params.patientId, body, idempotency),
    'GET /patients/{patientId}/lab-results': ({ caller, write, params, query }) => service.listLabResults(caller, write, params.patientId, query),
    'POST /patients/{patientId}/lab-results/{labResultId}/finalize': ({ caller, write, params }) => service.finalize(caller, write, params.patientId, params.labResultId),
    'POST /patients/{patientId}/lab-results/{labResultId}/correct': ({ caller, write, params, body, idempotency }) =>
      service.correct(caller, write, params.patientId, params.labResultId, body, idempotency),
    'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge': ({ caller, write, params }) => service.acknowledge(caller, write, params.patientId, params.labResultId),
  });
}
