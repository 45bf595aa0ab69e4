import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { readdirSync, existsSync } from 'node:fs';
import { DOMAINS } from '../../../../lambdas/domains.js';
import { FACETS } from '../../../../lambdas/facets.js';
import { DOMAIN_JOBS, REACTION_EVENT_TYPES, REACTIONS } from '../../../../lambdas/jobs.js';
import { PLATFORM_FUNCTIONS } from '../../../../lambdas/platform.js';
import { EVENT_RULES, FHIR_MAPPINGS, FUNCTIONS, JOBS, NOTIFICATION_RULES, OFF_APP, ROUTES } from '../../../../lambdas/registry.js';
import { createScheduledWorkBusHandler, createScheduledWorkHandler } from '../../../../lambdas/scheduled-work/app.js';
import type { Db } from '../../../../lambdas/shared/data/db.js';
import { defineDomain, defineFacet, defineJobs, job, type DomainJobs, type DomainModule } from '../../../../lambdas/shared/domain/domain-module.js';
import type { PlatformPorts } from '../../../../lambdas/shared/domain/platform-ports.js';
import { eventRules, fhirMappings, functionTable, jobTable, notificationCatalog, reactionTable, routeTable } from '../../../../lambdas/shared/domain/registry.js';
import { createApiHandler } from '../../../../lambdas/shared/http/api.js';
import { defineRoutes, routeKey } from '../../../../lambdas/shared/http/route-def.js';
import { EMAIL_REQUEST_EVENTS } from '../../../../lambdas/shared/outbox/email-request.js';
import type { FiredPayload, Scheduler } from '../../../../lambdas/shared/scheduling/scheduler.js';
import { Id } from '../../../../schemas/common.js';
import { generateDocs } from '../../../../scripts/docs/generate.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger } from '../support/api-events.js';

/**
 * "A new domain is its own folder, its schema module and its construct, plus one line in the list
 * of domains" (and one in the list of jobs when it has scheduled work; docs/adding-a-domain.md): a
 * throwaway domain, built in memory, reaches every registry the platform derives from the lists, and
 * nothing else had to be written for it.
 */
const WidgetParams = z.strictObject({ widgetId: Id });
const Widget = z.object({ id: z.string(), name: z.string() });
const WIDGET_ROUTES = defineRoutes('widgets', {
  'GET /widgets/{widgetId}': { operation: 'getWidget', roles: 'any', summary: 'Get a widget', params: WidgetParams, response: Widget },
});
const WidgetCheckPayload = z.object({ kind: z.literal('widget-check'), orgId: z.string(), widgetId: z.string() });
const checked: Array<FiredPayload<z.infer<typeof WidgetCheckPayload>>> = [];

const WIDGETS_FACET = defineFacet({
  id: 'widgets',
  events: { Widget: { INSERT: 'WidgetAdded' } },
  notifications: {
    WidgetAdded: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Widget added', body: 'A widget was added.' }) },
      offApp: 'A widget was added',
      urgent: true,
    },
  },
});
const reacted: string[] = [];
const WIDGET_JOBS = defineJobs(
  WIDGETS_FACET,
  { 'widget-check': job(WidgetCheckPayload, () => async (p) => void checked.push(p)) },
  { WidgetAdded: { build: () => async (event) => void reacted.push(`${event.type} ${event.entityId}`) } },
);
const WIDGETS = defineDomain(WIDGETS_FACET, {
  description: 'Widgets: a throwaway domain',
  entry: 'lambdas/widgets/handler.ts',
  app: 'lambdas/widgets/app.ts',
  routes: WIDGET_ROUTES,
  create: (ports: PlatformPorts) =>
    createApiHandler(WIDGET_ROUTES, { 'GET /widgets/{widgetId}': async ({ params }) => ({ id: params.widgetId, name: 'Sprocket' }) }, ports),
  functions: {
    widgetTrigger: { entry: 'lambdas/widgets/trigger.ts', app: 'lambdas/widgets/trigger.ts', kind: 'cognito-trigger', description: 'A trigger of widgets' },
  },
});

const ALL: readonly DomainModule[] = [...DOMAINS, WIDGETS];
/** What the platform functions read: the facets, the widgets' among them. */
const ALL_FACETS = [...FACETS, WIDGETS_FACET];
const noScheduler: Scheduler = { putOneTime: async () => {}, putRecurring: async () => {}, delete: async () => {} };
const workDeps = { db: {} as Db, scheduler: noScheduler, clock: fixedClock('2030-01-01T00:00:00Z'), logger: silentLogger() };

describe('a new domain is one descriptor and one line in the list', () => {
  it('reaches the function table: its API function and its other functions', () => {
    const functions = functionTable(ALL, PLATFORM_FUNCTIONS);
    expect(functions.widgets).toEqual({ entry: 'lambdas/widgets/handler.ts', app: 'lambdas/widgets/app.ts', kind: 'api', description: 'Widgets: a throwaway domain' });
    expect(functions.widgetTrigger).toMatchObject({ kind: 'cognito-trigger' });
  });

  it('reaches the route table, served by its own function, and the API documents', async () => {
    const routes = routeTable(ALL);
    expect(routes.find((r) => routeKey(r) === 'GET /widgets/{widgetId}')).toMatchObject({ fn: 'widgets', auth: true });
    const docs = await generateDocs(routes);
    const openapi = JSON.parse(docs.files.get('docs/api/openapi.json')!) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/widgets/{widgetId}');
  });

  it('reaches the event map, the notification rules and the off-app lines with their urgency', () => {
    expect(eventRules(ALL_FACETS).Widget).toEqual({ INSERT: 'WidgetAdded' });
    const { rules, offApp } = notificationCatalog(ALL_FACETS);
    expect(rules.WidgetAdded?.recipients).toBe('coordinators');
    expect(offApp.lines.WidgetAdded).toBe('A widget was added');
    expect(offApp.urgent.has('WidgetAdded')).toBe(true);
  });

  it('reaches the scheduled-work dispatch, which parses its payload with its schema', async () => {
    const work = createScheduledWorkHandler(workDeps, jobTable([...DOMAIN_JOBS, WIDGET_JOBS]));
    await work({ kind: 'widget-check', orgId: 'o', widgetId: 'w1', extra: 'dropped', scheduleName: 'wdg-w1', scheduledTime: '2030-01-01T00:00:00Z' });
    // A payload its schema refuses never reaches the job.
    await work({ kind: 'widget-check', orgId: 'o', scheduleName: 'wdg-w2', scheduledTime: '2030-01-01T00:00:00Z' });
    expect(checked).toEqual([{ kind: 'widget-check', orgId: 'o', widgetId: 'w1', scheduleName: 'wdg-w1', scheduledTime: '2030-01-01T00:00:00Z' }]);
  });

  it('reaches the scheduled-work bus handler: the event types it reacts to run its reaction, others are let go', async () => {
    const reactions = reactionTable([...DOMAIN_JOBS, WIDGET_JOBS]);
    expect(Object.keys(reactions)).toEqual([...REACTION_EVENT_TYPES, 'WidgetAdded']);
    const bus = createScheduledWorkBusHandler(workDeps, reactions);
    const busEvent = (type: string) => ({
      version: '0', id: 'b1', 'detail-type': type, source: 'carestack', account: '0', time: '2030-01-01T00:00:00Z', region: 'us-east-1', resources: [],
      detail: { id: 'e1', orgId: 'o', patientId: null, recipientId: null, type, entityType: 'Widget', entityId: 'w1', at: '2030-01-01T00:00:00.000Z', data: null },
    });
    await bus(busEvent('WidgetAdded'));
    await bus(busEvent('WidgetRemoved'));
    expect(reacted).toEqual(['WidgetAdded w1']);
  });

  it('is built from the platform ports like every domain, and answers its route', async () => {
    const handler = WIDGETS.create({ logger: silentLogger(), clock: fixedClock('2030-01-01T00:00:00Z') } as PlatformPorts);
    const caller = { userId: 'u1', orgId: 'o1', roles: ['aide' as const] };
    const res = await handler(apiEvent({ route: 'GET /widgets/{widgetId}', pathParameters: { widgetId: 'w1' }, caller }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ id: 'w1', name: 'Sprocket' });
  });
});

describe('two domains cannot claim the same thing', () => {
  const clash = (over: Partial<DomainModule>): DomainModule => ({ ...WIDGETS, id: 'gadgets', routes: defineRoutes('gadgets', {}), events: {}, notifications: {}, functions: {}, ...over });
  const gadgetJobs = (jobs: DomainJobs['jobs']): DomainJobs => ({ id: 'gadgets', jobs });

  it('refuses a second route of the same method and path, naming both domains', () => {
    const routes = defineRoutes('gadgets', { 'GET /widgets/{widgetId}': { operation: 'getGadget', roles: 'any', summary: 'again' } });
    expect(() => routeTable([WIDGETS, clash({ routes })])).toThrow('Route GET /widgets/{widgetId} is declared by both widgets and gadgets');
  });

  it('refuses routes declared for another function', () => {
    expect(() => routeTable([clash({ routes: defineRoutes('widgets', {}) })])).toThrow('Domain gadgets declares its routes for function widgets');
  });

  it('refuses a second rule for an entity type, a notification type, a job kind or a function id', () => {
    expect(() => eventRules([WIDGETS, clash({ events: { Widget: { INSERT: 'X' } } })])).toThrow('Entity type Widget is declared by both widgets and gadgets');
    expect(() => notificationCatalog([WIDGETS, clash({ notifications: { WidgetAdded: { offApp: 'x' } } })])).toThrow('Notification type WidgetAdded');
    expect(() => jobTable([WIDGET_JOBS, gadgetJobs({ 'widget-check': WIDGET_JOBS.jobs['widget-check']! })])).toThrow('Scheduled job kind widget-check is declared by both widgets and gadgets');
    expect(() => reactionTable([WIDGET_JOBS, { id: 'gadgets', jobs: {}, reactions: { WidgetAdded: WIDGET_JOBS.reactions!.WidgetAdded! } }])).toThrow(
      'Reaction to event type WidgetAdded is declared by both widgets and gadgets',
    );
    expect(() => functionTable([WIDGETS, clash({ functions: { widgetTrigger: WIDGETS.functions.widgetTrigger } })], {})).toThrow('Function widgetTrigger');
    expect(() => functionTable([WIDGETS], { widgets: PLATFORM_FUNCTIONS.audit })).toThrow('Function widgets is declared by both the platform and widgets');
  });

  it('refuses a job whose payload schema takes another kind than its key', () => {
    expect(() => jobTable([gadgetJobs({ 'gadget-check': WIDGET_JOBS.jobs['widget-check']! })])).toThrow('Scheduled job kind gadget-check of gadgets: its payload schema takes kind widget-check');
  });
});

describe('the platform registries are the derivations over the list of domains', () => {
  it('joins every domain', () => {
    const list: readonly DomainModule[] = DOMAINS;
    expect(Object.keys(FUNCTIONS)).toEqual(Object.keys(functionTable(DOMAINS, PLATFORM_FUNCTIONS)));
    expect(ROUTES.map(routeKey)).toEqual(DOMAINS.flatMap((d) => d.routes.map(routeKey)));
    // Every domain's entity rules, and the platform's own (the direct-email outbox).
    expect(Object.keys(EVENT_RULES).sort()).toEqual([...list.flatMap((d) => Object.keys(d.events ?? {})), ...Object.keys(EMAIL_REQUEST_EVENTS)].sort());
    expect(Object.keys(JOBS).sort()).toEqual(DOMAIN_JOBS.flatMap((d) => Object.keys(d.jobs)).sort());
    expect(Object.keys(REACTIONS).sort()).toEqual(DOMAIN_JOBS.flatMap((d) => Object.keys(d.reactions ?? {})).sort());
  });

  it('lists every domain\'s jobs (each lambdas/<domain>/jobs.ts) in lambdas/jobs.ts, under a domain\'s id', async () => {
    const folders = readdirSync('lambdas', { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(`lambdas/${e.name}/jobs.ts`));
    expect(folders.length, 'domains with scheduled work').toBe(DOMAIN_JOBS.length);
    for (const folder of folders) {
      const exported = Object.values((await import(`../../../../lambdas/${folder.name}/jobs.ts`)) as Record<string, unknown>);
      const declared = exported.filter((v): v is DomainJobs => typeof v === 'object' && v !== null && 'jobs' in v && 'id' in v);
      expect(declared.length, `lambdas/${folder.name}/jobs.ts declares its jobs with defineJobs`).toBe(1);
      expect(DOMAIN_JOBS, `lambdas/${folder.name}/jobs.ts is listed in lambdas/jobs.ts`).toContain(declared[0]);
    }
    const ids = DOMAINS.map((d) => d.id) as string[];
    for (const d of DOMAIN_JOBS) expect(ids, d.id).toContain(d.id);
  });

  it('gives every inbox notification an off-app line, and names the urgent types API.md names', () => {
    for (const type of Object.keys(NOTIFICATION_RULES)) expect(OFF_APP.lines[type], type).toBeDefined();
    expect([...OFF_APP.urgent].sort()).toEqual(['DoseMissed', 'IncidentReportOverdue', 'LabResultCritical', 'LabResultCriticalUnacknowledged', 'VisitMissed']);
  });

  it('builds each domain from its facet: the facets list the domains, in order, and hold their run-time parts', () => {
    expect(FACETS.map((f) => f.id)).toEqual(DOMAINS.map((d) => d.id));
    DOMAINS.forEach((d, i) => {
      const facet = FACETS[i]!;
      for (const key of Object.keys(facet) as Array<keyof typeof facet>) expect(d[key], `${d.id}.${key}`).toBe(facet[key]);
    });
  });

  it('has each domain serve its routes with its own function id', () => {
    for (const d of DOMAINS) expect(new Set(d.routes.map((r) => r.fn))).toEqual(new Set([d.id]));
  });
});

describe('the FHIR export\'s mappings are derived from the domains', () => {
  const widgetFhir = { entities: { Widget: () => ({ resourceType: 'Device', id: 'w' }) } };

  it('reach the export: a domain that declares `fhir` has its entity types mapped, with identity\'s people builder', () => {
    const mappings = fhirMappings([...DOMAINS, { ...WIDGETS, fhir: widgetFhir }]);
    expect(mappings.entities.Widget).toBe(widgetFhir.entities.Widget);
    expect(Object.keys(FHIR_MAPPINGS.entities).sort()).toEqual(DOMAINS.flatMap((d: DomainModule) => Object.keys(d.fhir?.entities ?? {})).sort());
    expect(Object.keys(FHIR_MAPPINGS.entities).sort()).toEqual(
      ['Appointment', 'CareTeamMember', 'Dose', 'Incident', 'LabResult', 'Medication', 'Patient', 'RespiteSession', 'TreatmentPlan', 'Visit'],
    );
  });

  it('refuse an entity type two domains map, and a list with no or two people builders', () => {
    const gadgets = { ...WIDGETS, id: 'gadgets', fhir: widgetFhir };
    expect(() => fhirMappings([...DOMAINS, { ...WIDGETS, fhir: widgetFhir }, gadgets])).toThrow('FHIR mapping of entity type Widget is declared by both widgets and gadgets');
    expect(() => fhirMappings([{ ...WIDGETS, fhir: widgetFhir }])).toThrow('No domain builds the FHIR people');
    const people = { entities: {}, person: () => ({ resourceType: 'Practitioner', id: 'p' }) };
    expect(() => fhirMappings([...DOMAINS, { ...gadgets, fhir: people }])).toThrow('FHIR people are built by both identity and gadgets');
  });
});
