import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import type { CareEvent } from '../events/care-event.js';
import type { EventRule } from '../events/event-rule.js';
import type { FhirMapping } from '../fhir/mapping.js';
import type { ApiHandler } from '../http/api.js';
import type { DomainRoutes } from '../http/route-def.js';
import type { NotificationMessage, RecipientSet } from '../notifications/recipients.js';
import type { FiredPayload, SchedulePayload } from '../scheduling/scheduler.js';
import type { ScheduledWorkDeps } from '../scheduling/scheduled-work-deps.js';
import type { PlatformPorts } from './platform-ports.js';

/**
 * What the platform functions need of a domain at run time (`lambdas/<domain>/facet.ts`): its id,
 * the events its entities make, who is told of which event, its off-app lines, and how its items
 * are exported to FHIR. A facet is light: it imports nothing of the domain's routes, app, request
 * schemas or repositories, so the functions that act for every domain (events, the notifications
 * fan-out, delivery, the FHIR export) read the list of facets (`lambdas/facets.ts`) and carry no
 * domain's API or data code (test/infra/bundling.test.ts). The full descriptor (DomainModule) is
 * built from it. A domain's scheduled work is not here: it needs the domain's repositories, and
 * only the scheduled-work function runs it (DomainJobs, below).
 */
export interface DomainFacet<Id extends string = string> {
  /** The domain's API function id (also its routes' `fn`). camelCase. */
  readonly id: Id;
  /** Entity type -> domain events (the events function). @default - its entities make no events */
  readonly events?: Readonly<Record<string, EventRule>>;
  /** Event type -> who is told, in the inbox and off the app. @default - it notifies nobody */
  readonly notifications?: Readonly<Record<string, NotificationSpec>>;
  /**
   * How its items become FHIR R4 resources in a patient's export (`lambdas/<domain>/fhir.ts`, light:
   * no routes, app or route schemas). The records function reads every facet's mapping, so it lives
   * here and not beside the routes. @default - its items are not in the export
   */
  readonly fhir?: FhirMapping;
}

/**
 * One domain of CareStack, described once (docs/adding-a-domain.md): its facet (above) and its API.
 * Every registry of the platform is derived from the list of these (`lambdas/domains.ts`) or of the
 * facets (`lambdas/facets.ts`): the function table, the route table, the event map, the notification
 * and off-app tables, the FHIR mappings, the local stack's wiring, the stack's API functions, the API
 * documents and the trust suite; the scheduled-work dispatch from the list of its jobs
 * (`lambdas/jobs.ts`). A domain never writes itself into one of them; it says here what it has.
 *
 * The type lives below every domain (domains build their descriptor with it) and below the
 * registries (which read it), so neither imports the other for it.
 */
export interface DomainModule<Id extends string = string> extends DomainFacet<Id> {
  /** What the function does, one line (the function's description on AWS). */
  readonly description: string;
  /** The AWS entry (exports `handler`) and the module of the factory below, from the project root. */
  readonly entry: string;
  readonly app: string;
  /** Its REST routes (`defineRoutes(id, ...)`). */
  readonly routes: DomainRoutes;
  /**
   * Builds the API handler from its dependencies: the AWS entry calls it with clients from the
   * environment, the local stack with local stand-ins (`local/functions.ts`). It takes the part of
   * the platform's ports it needs (its own `XDeps`).
   */
  readonly create: (ports: PlatformPorts) => ApiHandler;
  /** Other functions of the domain (Cognito triggers, ...), by function id. @default - none */
  readonly functions?: Readonly<Record<string, FunctionSpec>>;
}

/** A Lambda function, as the CDK app and the local stack know it. */
export interface FunctionSpec {
  /** Exports `handler` (AWS wiring from environment variables), from the project root. */
  readonly entry: string;
  /** Exports the factory the local stack and the tests call with their own dependencies. */
  readonly app: string;
  readonly kind: 'api' | 'stream' | 'bus' | 'scheduled' | 'cognito-trigger' | 'operator';
  readonly description: string;
}

/**
 * What an event type does for people: an inbox notification (`inbox`, from the notifications
 * fan-out) and/or the line that goes off the app (push, SMS, email) for it. Off-app text carries no
 * clinical detail: one short generic line per type (lambdas/delivery/messages.ts renders it).
 */
export interface NotificationSpec {
  /** Who gets an inbox item, and what it says. @default - no inbox item */
  readonly inbox?: {
    readonly recipients: RecipientSet;
    readonly message: (event: CareEvent) => NotificationMessage;
  };
  /** The off-app line (at most 60 characters, no PHI). */
  readonly offApp: string;
  /** Goes at once, also during quiet hours (API.md, "Delivery off the app"). @default false */
  readonly urgent?: boolean;
}

/**
 * One kind of scheduled work: the schema its payload must pass (with `kind` as a literal) and the
 * job that runs it, built once per function instance from the scheduled-work dependencies.
 */
export interface ScheduledJobSpec {
  readonly payload: $ZodType;
  /** The job for any fired payload: parses it with `payload`, then runs (MalformedPayloadError if it does not pass). */
  readonly build: (deps: ScheduledWorkDeps) => (fired: FiredPayload) => Promise<void>;
}

/** A fire whose payload does not pass its kind's schema: a retry cannot fix it. */
export class MalformedPayloadError extends Error {
  constructor(readonly kind: string, readonly issues: readonly string[]) {
    super(`Malformed ${kind} payload: ${issues.join('; ')}`);
  }
}

/**
 * A fired payload as its kind's schema parses it, with the fire's `scheduledTime` and
 * `scheduleName` beside it; MalformedPayloadError when it does not pass.
 */
export function parseFired<S extends $ZodType<SchedulePayload>>(schema: S, fired: FiredPayload): FiredPayload<output<S>> {
  const { scheduledTime, scheduleName, ...rest } = fired;
  const parsed = safeParse(schema, rest);
  if (!parsed.success) throw new MalformedPayloadError(fired.kind, parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`));
  return { ...parsed.data, scheduledTime, scheduleName };
}

/** A job of one kind. `run` gets the payload as its schema parses it (no casts). */
export function job<S extends $ZodType<SchedulePayload>>(payload: S, run: (deps: ScheduledWorkDeps) => (payload: FiredPayload<output<S>>) => Promise<void>): ScheduledJobSpec {
  return {
    payload,
    build: (deps) => {
      const go = run(deps);
      return (fired) => go(parseFired(payload, fired));
    },
  };
}

/**
 * A domain's scheduled work (`lambdas/<domain>/jobs.ts`, `defineJobs`): kind -> payload schema and
 * job. Jobs build the domain's repositories, so they are kept out of the facet: the list of them
 * (`lambdas/jobs.ts`) is read by the scheduled-work function alone, and no other function carries
 * another domain's data code for them (docs/adding-a-domain.md, the `defineJobs` example).
 */
export interface DomainJobs<Id extends string = string> {
  /** The domain's id (its facet's). */
  readonly id: Id;
  readonly jobs: Readonly<Record<string, ScheduledJobSpec>>;
  /**
   * Domain event type -> what the domain does about it in scheduled work: sets or removes a
   * schedule when something happens (an incident reported with a deadline). A bus rule sends the
   * scheduled-work function exactly these event types; the domain's API function needs no
   * scheduling rights. @default - it reacts to no event
   */
  readonly reactions?: Readonly<Record<string, EventReactionSpec>>;
}

/** A reaction to one domain event, built once per function instance from the scheduled-work dependencies. */
export interface EventReactionSpec {
  readonly build: (deps: ScheduledWorkDeps) => (event: CareEvent) => Promise<void>;
}

/** Declares a domain's scheduled work, under its facet's id (see DomainJobs). */
export const defineJobs = <const Id extends string>(
  facet: DomainFacet<Id>,
  jobs: Readonly<Record<string, ScheduledJobSpec>>,
  reactions?: Readonly<Record<string, EventReactionSpec>>,
): DomainJobs<Id> => ({ id: facet.id, jobs, ...(reactions ? { reactions } : {}) });

/** Declares a domain's facet (see DomainFacet). */
export const defineFacet = <const F extends DomainFacet>(facet: F): F => facet;

/** A list of descriptors with a list of facets' ids, in the same order (lambdas/domains.ts holds DOMAINS to FACETS with it). */
export type DomainsOf<F extends readonly DomainFacet[]> = { readonly [K in keyof F]: DomainModule<F[K]['id']> };

/** The rest of a domain's descriptor: what its facet does not hold. */
export type DomainApi = Omit<DomainModule, keyof DomainFacet>;

/**
 * Declares a domain (see DomainModule) from its facet and its API: the events, notifications and
 * FHIR mapping the platform functions read are the facet's, never written twice.
 */
export const defineDomain = <const F extends DomainFacet, const A extends DomainApi>(facet: F, api: A): F & A => ({ ...facet, ...api });
