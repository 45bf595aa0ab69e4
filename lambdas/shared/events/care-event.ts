/**
 * The realtime event every subscriber receives (AppSync type `CareEvent`, schemas/realtime.graphql).
 * Events carry ids and changed field names, never PHI values: a client refetches what it may read.
 */
export interface CareEvent {
  id: string;
  orgId: string;
  patientId?: string | null;
  /** Set for events addressed to one user (`onMyEvent`). */
  recipientId?: string | null;
  /** `<Noun><PastVerb>`: PatientUpdated, CareTeamMemberRemoved, IncidentReported, ... */
  type: string;
  entityType: string;
  entityId: string;
  /** ISO 8601 UTC. */
  at: string;
  /** JSON-serialisable extra data (AWSJSON on the wire). */
  data?: Record<string, unknown> | null;
}

/** EventBridge `source` of every CareStack domain event; the bus rule to AppSync matches it. */
export const EVENT_SOURCE = 'carestack';

/** Where domain events go: EventBridge on AWS, the in-process bus locally. */
export interface EventPublisher {
  publish(events: readonly CareEvent[]): Promise<void>;
}
