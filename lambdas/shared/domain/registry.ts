import type { EventRule } from '../events/event-rule.js';
import { routeKey, type RouteDef } from '../http/route-def.js';
import type { NotificationMessage, RecipientSet } from '../notifications/recipients.js';
import type { CareEvent } from '../events/care-event.js';
import type { DomainModule, FunctionSpec, ScheduledJobSpec } from './domain-module.js';

/**
 * The platform's registries, each derived from a list of domain descriptors (lambdas/domains.ts
 * applies them to the real list; tests apply them to a throwaway list). Every derivation refuses a
 * clash between two domains (the same route, entity type, notification type, job kind or function
 * id), naming both, so a new domain can never silently replace another's entry.
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
export function eventRules(domains: readonly DomainModule[], platform: Readonly<Record<string, EventRule>> = {}): Record<string, EventRule> {
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

/** Event type -> inbox notification, for the types that have one. */
export function notificationRules(domains: readonly DomainModule[]): Record<string, NotificationRule> {
  const table: Record<string, NotificationRule> = {};
  for (const [type, spec] of Object.entries(notificationSpecs(domains))) if (spec.inbox) table[type] = spec.inbox;
  return table;
}

/** What goes off the app per notification type: its line and whether it is urgent. */
export interface OffAppCatalog {
  /** The line per type; a type without one gets the generic line. */
  readonly lines: Readonly<Record<string, string>>;
  readonly urgent: ReadonlySet<string>;
}

export function offAppCatalog(domains: readonly DomainModule[]): OffAppCatalog {
  const specs = Object.entries(notificationSpecs(domains));
  return {
    lines: Object.fromEntries(specs.map(([type, spec]) => [type, spec.offApp])),
    urgent: new Set(specs.filter(([, spec]) => spec.urgent === true).map(([type]) => type)),
  };
}

function notificationSpecs(domains: readonly DomainModule[]) {
  const table: Record<string, NonNullable<DomainModule['notifications']>[string]> = {};
  const owners = new Map<string, string>();
  for (const d of domains) for (const [type, spec] of Object.entries(d.notifications ?? {})) claim(table, owners, type, spec, d.id, 'Notification type');
  return table;
}

/** Scheduled-work kind -> job (the scheduled-work function). */
export function jobTable(domains: readonly DomainModule[]): Record<string, ScheduledJobSpec> {
  const table: Record<string, ScheduledJobSpec> = {};
  const owners = new Map<string, string>();
  for (const d of domains) for (const [kind, spec] of Object.entries(d.jobs ?? {})) claim(table, owners, kind, spec, d.id, 'Scheduled job kind');
  return table;
}
