import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INCIDENT_DEADLINE_EVENT_TYPES } from '../../lambdas/assisted-living/deadline-work.js';
import { EVENT_SOURCE } from '../../lambdas/shared/events/care-event.js';

export interface IncidentDeadlinesProps {
  /** The bus the events function publishes domain events to. */
  readonly bus: events.IEventBus;
  /**
   * The scheduled-work function (MedicationsService): it already manages schedules in the group and
   * may pass the scheduler role, so nothing else gets scheduling permissions.
   */
  readonly scheduledWork: lambda.IFunction;
  /** Where events go that could not be delivered: the schedule dead-letter queue. */
  readonly deadLetters: sqs.IQueue;
}

/**
 * Incident report deadlines (docs/scheduling.md): a bus rule sends `IncidentReported` and
 * `IncidentUpdated` to the scheduled-work function, which sets the incident's one-time schedule
 * `inc-<incidentId>` at its `reportDueBy` (and removes it once the incident is resolved). The
 * schedule fires the same function (`incident-deadline`), which marks a still-unresolved incident
 * overdue; the stream turns that into `IncidentReportOverdue`, which notifies the coordinators.
 * The assisted-living function is unchanged and has no scheduling permissions.
 */
export class IncidentDeadlines extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: IncidentDeadlinesProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Incident events -> the scheduled-work function (sets or removes the incident report deadline schedule)',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...INCIDENT_DEADLINE_EVENT_TYPES] },
      targets: [
        new targets.LambdaFunction(props.scheduledWork, {
          deadLetterQueue: props.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
