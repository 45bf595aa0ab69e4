import { routeHandlers, type ConciergeContext } from '../context.js';
import { ProviderRepository } from '../providers/repository.js';
import { AppointmentRepository } from './repository.js';
import { AppointmentService } from './service.js';

/** The appointment routes (a provider's, a patient's, and each booking's steps): one line each to a use case. */
export function appointmentHandlers(ctx: ConciergeContext) {
  const service = new AppointmentService(new AppointmentRepository(ctx.db), new ProviderRepository(ctx.db), ctx.policy, ctx.people, ctx.scheduler, ctx.logger);
  return routeHandlers({
    'GET /providers/{providerId}/appointments': ({ caller, write, params, query }) => service.listProviderAppointments(caller, write, params.providerId, query),
    'POST /patients/{patientId}/appointments': ({ caller, write, params, body, idempotency }) => service.book(caller, write, params.patientId, body, idempotency),
    'GET /patients/{patientId}/appointments': ({ caller, write, params, query }) => service.listPatientAppointments(caller, write, params.patientId, query),
    'GET /patients/{patientId}/appointments/{appointmentId}': ({ caller, params }) => service.getAppointment(caller, params.patientId, params.appointmentId),
    'POST /patients/{patientId}/appointments/{appointmentId}/cancel': ({ caller, write, params, body }) => service.cancel(caller, write, params.patientId, params.appointmentId, body.reason),
    'POST /patients/{patientId}/appointments/{appointmentId}/reschedule': ({ caller, write, params, body }) => service.reschedule(caller, write, params.patientId, params.appointmentId, body),
    'POST /patients/{patientId}/appointments/{appointmentId}/check-in': ({ caller, write, params }) => service.checkIn(caller, write, params.patientId, params.appointmentId),
    'POST /patients/{patientId}/appointments/{appointmentId}/complete': ({ caller, write, params, body }) => service.complete(caller, write, params.patientId, params.appointmentId, body.summary),
    'POST /patients/{patientId}/appointments/{appointmentId}/no-show': ({ caller, write, params }) => service.noShow(caller, write, params.patientId, params.appointmentId),
  });
}
