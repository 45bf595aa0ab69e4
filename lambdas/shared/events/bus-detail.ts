import * as z from 'zod/mini';
// Functions that parse bus events without any schema module get English messages, as elsewhere.
import '../../../schemas/zod-locale.js';
import type { CareEvent } from './care-event.js';

/**
 * A CareEvent on the bus, both ways: the events function writes the `detail` (`toDetail`,
 * lambdas/events/eventbridge-publisher.ts) and every bus target reads it back (`careEventFromBusDetail`:
 * the notifications fan-out, scheduled work's reactions). `data` travels as a JSON string: the bus
 * rule hands it to AppSync's `publish` mutation as AWSJSON unchanged.
 */
export const toDetail = (e: CareEvent) => ({ ...e, data: e.data == null ? null : JSON.stringify(e.data) });

/** The bus event's `detail` as `toDetail` writes it (`data` a JSON string); a `data` that is already an object is taken as it is. */
const CareEventDetail = z.object({
  id: z.string().check(z.minLength(1)),
  orgId: z.string().check(z.minLength(1)),
  patientId: z.nullish(z.string()),
  recipientId: z.nullish(z.string()),
  type: z.string().check(z.minLength(1)),
  entityType: z.string().check(z.minLength(1)),
  entityId: z.string().check(z.minLength(1)),
  at: z.string().check(z.minLength(1)),
  data: z.nullish(z.union([z.string(), z.record(z.string(), z.unknown())])),
});

/** The CareEvent a bus event's `detail` carries; throws when it is not one. */
export function careEventFromBusDetail(detail: unknown): CareEvent {
  const d = CareEventDetail.parse(detail);
  const data = typeof d.data === 'string' ? (JSON.parse(d.data) as Record<string, unknown>) : (d.data ?? null);
  return { ...d, patientId: d.patientId ?? null, recipientId: d.recipientId ?? null, data };
}
