import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { toDetail } from '../shared/events/bus-detail.js';
import { EVENT_SOURCE, type CareEvent, type EventPublisher } from '../shared/events/care-event.js';

/**
 * Puts CareEvents on the bus. `data` travels as a JSON string: the bus rule hands it to AppSync's
 * `publish` mutation as AWSJSON unchanged.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly CareEvent[]): Promise<void> {
    if (events.length === 0) return;
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: events.map((e) => ({
          EventBusName: this.busName,
          Source: EVENT_SOURCE,
          DetailType: e.type,
          Detail: JSON.stringify(toDetail(e)),
        })),
      }),
    );
    if (out.FailedEntryCount) throw new Error(`${out.FailedEntryCount} of ${events.length} events were not accepted by the bus`);
  }
}
