import { describe, expect, it } from 'vitest';
import { importGraph, tsFiles } from './import-graph.js';

/**
 * A domain never imports another domain's folder (STYLE.md 11): what two domains share lives below
 * both, in lambdas/shared/ (the access policy's people reads, the care-team writer, the aide
 * calendar and EVV, the scheduling helpers). Type-only imports count.
 *
 * The top-level folders of lambdas/ are of three kinds:
 * - `shared`: below everything; it imports no other folder of lambdas/ (imports flow one way).
 * - domains: each one function's routes and rules; they import `shared` and their own folder only.
 * - platform functions that exist to act on every domain's behalf, and so read every domain:
 *   `events` (the stream -> bus map is every domain's event rules), `scheduled-work` (one function
 *   runs every domain's fired schedules with that domain's job), `notifications-fan-out` (every
 *   domain's notification rules), `delivery` (every domain's off-app lines), `audit` and
 *   `sign-in-audit` (the audit trail of every item and every sign-in). A domain never imports a
 *   platform folder.
 * The files at the top of lambdas/ (`domains.ts`, `registry.ts`, `platform.ts`, `routes.ts`,
 * `functions.ts`) list every domain: they may import anything; only platform functions import
 * them, never a domain or shared.
 */
const DOMAINS = [
  'access-reports', 'assisted-living', 'concierge', 'home-health', 'identity', 'invitations', 'medications', 'messaging', 'notifications', 'records', 'respite',
] as const;
const PLATFORM = ['audit', 'delivery', 'events', 'notifications-fan-out', 'scheduled-work', 'sign-in-audit'] as const;

/**
 * The edges across a boundary that remain, each with its reason; the last test fails on one that
 * is no longer there, so the list only shrinks.
 */
const PREFERENCES =
  'The caller\'s delivery preferences and devices are routes of the notifications domain, kept by the delivery ' +
  'function\'s repository beside the delivery records it writes (one item layout, docs/delivery.md); moving them ' +
  'below both is a split of that repository, left for a later change.';
const FHIR_EXPORT =
  'The FHIR export reads every domain\'s FHIR mapping, derived from the domains\' facets (FHIR_MAPPINGS in ' +
  'lambdas/platform-registry.ts, as the platform functions read theirs); the app itself takes them as a port.';
const ALLOWED: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: 'lambdas/records/handler.ts', to: 'lambdas/platform-registry.ts', why: FHIR_EXPORT },
  { from: 'lambdas/notifications/app.ts', to: 'lambdas/delivery/preferences.ts', why: PREFERENCES },
  { from: 'lambdas/notifications/app.ts', to: 'lambdas/delivery/repository.ts', why: PREFERENCES },
];

type Kind = 'shared' | 'domain' | 'platform' | 'top' | 'outside';

/** The top-level folder of lambdas/ a file lives in, and its kind. */
function placeOf(file: string): { folder: string; kind: Kind } {
  const m = /^lambdas\/(?:([^/]+)\/)?[^/]+$/.exec(file) ?? /^lambdas\/([^/]+)\//.exec(file);
  if (!file.startsWith('lambdas/') || !m) return { folder: '', kind: 'outside' };
  const folder = m[1];
  if (folder === undefined) return { folder: '', kind: 'top' };
  if (folder === 'shared') return { folder, kind: 'shared' };
  if ((DOMAINS as readonly string[]).includes(folder)) return { folder, kind: 'domain' };
  if ((PLATFORM as readonly string[]).includes(folder)) return { folder, kind: 'platform' };
  throw new Error(`lambdas/${folder}/ is neither shared, a domain nor a platform function: add it to DOMAINS or PLATFORM above`);
}

/** Why an import from `from` to `to` crosses a boundary, or undefined when it may. */
export function violation(from: string, to: string): string | undefined {
  const a = placeOf(from);
  const b = placeOf(to);
  if (a.kind === 'outside' || b.kind === 'outside' || a.folder === b.folder) return undefined;
  if (a.kind === 'top') return undefined;
  if (ALLOWED.some((e) => e.from === from && e.to === to)) return undefined;
  if (b.kind === 'top') return a.kind === 'platform' ? undefined : `${from} imports ${to}: the lists of every domain are imported by platform functions only`;
  if (a.kind === 'shared') return `${from} imports ${to}: shared is below every domain and imports none`;
  if (b.kind === 'shared') return undefined;
  if (a.kind === 'platform') return b.kind === 'domain' || (from.startsWith('lambdas/events/') && to.startsWith('lambdas/audit/')) ? undefined : `${from} imports ${to}: one platform function imports another`;
  return `${from} imports ${to}: a domain imports only its own folder and lambdas/shared (move what both need below both)`;
}

function violations(graph: Map<string, string[]>): string[] {
  return [...graph.entries()].flatMap(([from, deps]) => deps.map((to) => violation(from, to)).filter((v): v is string => v !== undefined)).sort();
}

describe('domain boundaries in lambdas/', () => {
  const graph = importGraph(tsFiles('lambdas'));

  it('knows every folder of lambdas/ (a new one must be named a domain or a platform function)', () => {
    const folders = new Set([...graph.keys()].filter((f) => f.startsWith('lambdas/')).map((f) => placeOf(f).folder));
    expect([...folders].filter((f) => f !== '').sort()).toEqual(['shared', ...DOMAINS, ...PLATFORM].sort());
  });

  it('refuses made-up crossings and admits what may import what', () => {
    expect(violation('lambdas/respite/service.ts', 'lambdas/home-health/evv.ts')).toMatch(/only its own folder/);
    expect(violation('lambdas/home-health/app.ts', 'lambdas/identity/repository.ts')).toMatch(/only its own folder/);
    expect(violation('lambdas/medications/service.ts', 'lambdas/scheduled-work/app.ts')).toMatch(/only its own folder/);
    expect(violation('lambdas/shared/auth/policy.ts', 'lambdas/identity/repository.ts')).toMatch(/shared is below/);
    expect(violation('lambdas/identity/app.ts', 'lambdas/routes.ts')).toMatch(/platform functions only/);
    expect(violation('lambdas/shared/http/api.ts', 'lambdas/registry.ts')).toMatch(/platform functions only/);
    expect(violation('lambdas/delivery/handler.ts', 'lambdas/registry.ts')).toBeUndefined();
    expect(violation('lambdas/scheduled-work/app.ts', 'lambdas/events/app.ts')).toMatch(/one platform function/);
    expect(violation('lambdas/respite/service.ts', 'lambdas/shared/visits/evv.ts')).toBeUndefined();
    expect(violation('lambdas/respite/service.ts', 'lambdas/respite/rules.ts')).toBeUndefined();
    expect(violation('lambdas/events/event-map.ts', 'lambdas/respite/events.ts')).toBeUndefined();
    expect(violation('lambdas/routes.ts', 'lambdas/respite/routes.ts')).toBeUndefined();
    expect(violation('lambdas/respite/service.ts', 'schemas/respite.ts')).toBeUndefined();
  });

  it('has every allowed exception still in use (a stale allowance is removed)', () => {
    const stale = ALLOWED.filter((e) => !(graph.get(e.from) ?? []).includes(e.to));
    expect(stale).toEqual([]);
  });

  it('has no import between two domain folders, none from shared upwards, none into the domain lists', () => {
    expect(violations(graph)).toEqual([]);
  });
});
