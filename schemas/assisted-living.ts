import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDateTime, ListQuery, Text, Version } from './common.js';

// ---- Incidents (API.md, "Assisted living") ----------------------------------------------------

export const INCIDENT_CATEGORIES = ['fall', 'medication_error', 'injury', 'elopement', 'behavior', 'abuse_suspected', 'other'] as const;
export const IncidentCategory = z.enum(INCIDENT_CATEGORIES);
export type IncidentCategory = z.infer<typeof IncidentCategory>;

export const INCIDENT_SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export const IncidentSeverity = z.enum(INCIDENT_SEVERITIES);
export type IncidentSeverity = z.infer<typeof IncidentSeverity>;

export const INCIDENT_STATUSES = ['open', 'investigating', 'resolved'] as const;
export const IncidentStatus = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** Details are free text up to 10,000 characters; names of witnesses and parties up to 200 each. */
const Name = Text(200);

export const CreateIncidentBody = z.strictObject({
  category: IncidentCategory,
  severity: IncidentSeverity,
  details: Text(10_000),
  /** When it happened; at most 5 minutes in the future (clock skew), checked against the server clock. */
  occurredAt: IsoDateTime,
  location: z.optional(Text(200)),
  witnesses: z.optional(z.array(Name).check(z.maxLength(50))),
});
export type CreateIncidentBody = z.infer<typeof CreateIncidentBody>;

export const UpdateIncidentBody = z
  .strictObject({
    version: Version,
    status: z.optional(z.enum(['investigating', 'resolved'])),
    resolution: z.optional(Text(10_000)),
    notifiedParties: z.optional(z.array(Name).check(z.maxLength(50))),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.status === 'resolved' && b.resolution === undefined) {
        ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'resolving an incident needs a resolution' });
      }
      if (b.resolution !== undefined && b.status !== 'resolved') {
        ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'a resolution is given with status "resolved"' });
      }
      if (b.status === undefined && b.notifiedParties === undefined) {
        ctx.addIssue({ code: 'custom', path: [], message: 'nothing to change: give status or notifiedParties' });
      }
    }),
  );
export type UpdateIncidentBody = z.infer<typeof UpdateIncidentBody>;

export const Incident = z.object({
  ...EntityMeta,
  patientId: z.string(),
  category: IncidentCategory,
  severity: IncidentSeverity,
  details: z.string(),
  occurredAt: IsoDateTime,
  location: z.optional(z.string()),
  witnesses: z.optional(z.array(z.string())),
  status: IncidentStatus,
  reportedBy: z.string(),
  reportedAt: IsoDateTime,
  /** occurredAt + 2 h (critical, or abuse suspected), + 24 h (high), else null. */
  reportDueBy: z.nullable(IsoDateTime),
  /** Not resolved and past reportDueBy, by the server clock at the time of the read. */
  overdue: z.boolean(),
  resolution: z.optional(z.string()),
  resolvedAt: z.optional(IsoDateTime),
  resolvedBy: z.optional(z.string()),
  notifiedParties: z.optional(z.array(z.string())),
});
export type Incident = z.infer<typeof Incident>;

export const IncidentListQuery = z.extend(ListQuery, { status: z.optional(IncidentStatus) });
export type IncidentListQuery = z.infer<typeof IncidentListQuery>;

export const PatientIncidentsParams = z.strictObject({ patientId: Id });
export const IncidentParams = z.strictObject({ patientId: Id, incidentId: Id });
export type IncidentParams = z.infer<typeof IncidentParams>;

// ---- Dashboard ------------------------------------------------------------------------------

export const PatientDashboard = z.object({
  patientId: z.string(),
  /** Incidents by status. */
  statusOverview: z.object({ open: z.number().check(z.int()), investigating: z.number().check(z.int()), resolved: z.number().check(z.int()) }),
  incidentCount: z.number().check(z.int()),
  /** Incidents not resolved (open or investigating). */
  openIncidentCount: z.number().check(z.int()),
  /** occurredAt of the most recent incident, null when there is none. */
  lastIncidentAt: z.nullable(IsoDateTime),
});
export type PatientDashboard = z.infer<typeof PatientDashboard>;
