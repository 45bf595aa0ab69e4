import type { EventRule } from '../events/event-rule.js';
import { routeKey, type RouteDef } from '../http/route-def.js';
import type { NotificationMessage, RecipientSet } from '../notifications/recipients.js';
import type { CareEvent } from '../events/care-event.js';
import type { FhirItemMapper, FhirMapping, FhirMappings } from '../fhir/mapping.js';
import type { DomainFacet, DomainJobs, DomainModule, EventReactionSpec, NotificationSpec, FunctionSpec, ScheduledJobSpec } from './domain-module.js';

/**
 * The platform's registries, each derived from a list of domain descriptors or of their facets
 * (lambdas/registry.ts and lambdas/platform-registry.ts apply them to the real lists; tests apply
 * them to a throwaway list). The run-time tables (events, notifications, off-app lines, FHIR
 * mappings) take facets only, and the jobs table the domains' jobs only, so the functions that read
 * them never import a domain's API. Every derivation refuses a
 * clash between two domains (the same route, entity type, notification type, job kind, event
 * reaction or function id), naming both, so a new domain can never silently replace another's entry.
 */

function claim<V>(table: Record<string, V>, owners: Map<string, string>, key: string, value: V, owner: string, what: string): void {
  const previous = owners.get(key);
  if (previous !== undefined) throw new Error(`${what} ${key} is declared by both ${previous} and ${owner}`);
  owners.set(key, owner);
  table[key] = value;
}

/** The ids of the functions of a list of domains and the platform's own. */
export type FunctionIdOf<D extends readonly DomainModule[], P> =
  | (keyof P & string)
  | D[number]['id']
  | { [K in keyof D]: D[K] extends { readonly functions: infer F } ? keyof F & string : never }[number];

/** Every Lambda function: the platform's own, each domain's API function and its other functions. */
export function functionTable<const D extends readonly DomainModule[], const P extends Readonly<Record<string, FunctionSpec>>>(
  domains: D,
  platform: P,
): Readonly<Record<FunctionIdOf<D, P>, FunctionSpec>> {
  const table: Record<string, FunctionSpec> = {};
  const owners = new Map<string, string>();
  for (const [id, spec] of Object.entries(platform)) claim(table, owners, id, spec, 'the platform', 'Function');
  for (const d of domains) {
    claim(table, owners, d.id, { entry: d.entry, app: d.app, kind: 'api', description: d.description }, d.id, 'Function');
    for (const [id, spec] of Object.entries(d.functions ?? {})) claim(table, owners, id, spec, d.id, 'Function');
  }
  // Every id of the type was claimed above: the platform's keys, each domain's id and its functions' keys.
  return table as Record<FunctionIdOf<D, P>, FunctionSpec>;
}

/** The REST route table: every domain's routes, each served by its domain's function. */
export function routeTable(domains: readonly DomainModule[]): readonly RouteDef[] {
  const owners = new Map<string, string>();
  const table: Record<string, RouteDef> = {};
  for (const d of domains) {
    if (d.routes.fn !== d.id) throw new Error(`Domain ${d.id} declares its routes for function ${d.routes.fn}`);
    for (const route of d.routes) claim(table, owners, routeKey(route), route, d.id, 'Route');
  }
  return Object.values(table);
}

/** Entity type -> domain events (the events function). */
export function eventRules(domains: readonly DomainFacet[], platform: Readonly<Record<string, EventRule>> = {}): Record<string, EventRule> {
  const table: Record<string, EventRule> = {};
  const owners = new Map<string, string>();
  // The platform's own entities (the direct-email outbox) first: a domain declaring one of them clashes.
  for (const [type, rule] of Object.entries(platform)) claim(table, owners, type, rule, 'platform', 'Entity type');
  for (const d of domains) for (const [type, rule] of Object.entries(d.events ?? {})) claim(table, owners, type, rule, d.id, 'Entity type');
  return table;
}

/** An event type's inbox notification (the notifications fan-out). */
export interface NotificationRule {
  recipients: RecipientSet;
  message: (event: CareEvent) => NotificationMessage;
}

/** What goes off the app per notification type: its line and whether it is urgent. */
export interface OffAppCatalog {
  /** The line per type; a type without one gets the generic line. */
  readonly lines: Readonly<Record<string, string>>;
  readonly urgent: ReadonlySet<string>;
}

/**
 * Every notification type's spec, walked once: event type -> inbox notification for the types that
 * have one (the fan-out), and the off-app line and urgency of each (delivery).
 */
export function notificationCatalog(domains: readonly DomainFacet[]): { rules: Record<string, NotificationRule>; offApp: OffAppCatalog } {
  const specs: Record<string, NotificationSpec> = {};
  const owners = new Map<string, string>();
  const rules: Record<string, NotificationRule> = {};
  const lines: Record<string, string> = {};
  const urgent = new Set<string>();
  for (const d of domains) {
    for (const [type, spec] of Object.entries(d.notifications ?? {})) {
      claim(specs, owners, type, spec, d.id, 'Notification type');
      if (spec.inbox) rules[type] = spec.inbox;
      lines[type] = spec.offApp;
      if (spec.urgent === true) urgent.add(type);
    }
  }
  return { rules, offApp: { lines, urgent } };
}

/** Scheduled-work kind -> job (the scheduled-work function), from the domains' jobs (lambdas/jobs.ts). */
export function jobTable(domains: readonly DomainJobs[]): Record<string, ScheduledJobSpec> {
  const table: Record<string, ScheduledJobSpec> = {};
  const owners = new Map<string, string>();
  for (const d of domains) {
    for (const [kind, spec] of Object.entries(d.jobs)) {
      // The payload schema must take exactly this kind: under another key, every fire would be refused.
      const kinds = spec.payload._zod.propValues?.kind;
      if (kinds?.size !== 1 || !kinds.has(kind)) {
        throw new Error(`Scheduled job kind ${kind} of ${d.id}: its payload schema takes kind ${kinds ? [...kinds].map(String).join(' | ') : '(any)'}`);
      }
      claim(table, owners, kind, spec, d.id, 'Scheduled job kind');
    }
  }
  return table;
}

/** Domain event type -> the one domain's reaction to it (the scheduled-work function's bus handler and its bus rule). */
export function reactionTable(domains: readonly DomainJobs[]): Record<string, EventReactionSpec> {
  const table: Record<string, EventReactionSpec> = {};
  const owners = new Map<string, string>();
  for (const d of domains) for (const [type, spec] of Object.entries(d.reactions ?? {})) claim(table, owners, type, spec, d.id, 'Reaction to event type');
  return table;
}

/**
 * The FHIR export's mappings: entity type -> the owning domain's mapper, and the one domain's people
 * builder (identity's). Refuses an entity type two domains map, and a list where no domain, or more
 * than one, builds people.
 */
export function fhirMappings(domains: readonly DomainFacet[]): FhirMappings {
  const entities: Record<string, FhirItemMapper> = {};
  const owners = new Map<string, string>();
  let person: { fn: NonNullable<FhirMapping['person']>; owner: string } | undefined;
  for (const d of domains) {
    if (!d.fhir) continue;
    for (const [type, mapper] of Object.entries(d.fhir.entities)) claim(entities, owners, type, mapper, d.id, 'FHIR mapping of entity type');
    if (d.fhir.person) {
      if (person) throw new Error(`FHIR people are built by both ${person.owner} and ${d.id}`);
      person = { fn: d.fhir.person, owner: d.id };
    }
  }
  if (!person) throw new Error('No domain builds the FHIR people (a FhirMapping with `person`)');
  return { entities, person: person.fn };
}
