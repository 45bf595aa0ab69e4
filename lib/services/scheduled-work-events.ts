import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REACTION_EVENT_TYPES } from '../../lambdas/jobs.js';
import { EVENT_SOURCE } from '../../lambdas/shared/events/care-event.js';

export interface ScheduledWorkEventsProps {
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
 * The domain events the domains react to in scheduled work (`reactions` of their jobs,
 * lambdas/jobs.ts; docs/scheduling.md): one bus rule sends exactly those event types to the
 * scheduled-work function, which runs the domain's reaction. Today that is assisted living:
 * `IncidentReported` and `IncidentUpdated` set the incident's one-time schedule `inc-<incidentId>`
 * at its `reportDueBy` (and remove it once the incident is resolved); the schedule fires the same
 * function (`incident-deadline`), which marks a still-unresolved incident overdue, and the stream
 * turns that into `IncidentReportOverdue` for the coordinators. The API functions get no
 * scheduling permissions for it. No rule when no domain reacts to an event.
 */
export class ScheduledWorkEvents extends Construct {
  readonly rule: events.Rule | undefined;

  constructor(scope: Construct, id: string, props: ScheduledWorkEventsProps) {
    super(scope, id);
    if (REACTION_EVENT_TYPES.length === 0) return;
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Domain events the domains react to -> the scheduled-work function (sets or removes their schedules)',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...REACTION_EVENT_TYPES] },
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
