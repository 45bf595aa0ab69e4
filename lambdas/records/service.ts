import { FHIR_PAGE_ENTRIES, type FhirBundle, type FhirExportQuery } from '../../schemas/records.js';
import { isStaff, type Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Item } from '../shared/data/db.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError } from '../shared/errors.js';
import { fhirId, type FhirMappings, type FhirReference, type FhirRefs, type FhirResource, type FhirViewer } from '../shared/fhir/mapping.js';
import type { RecordsRepository } from './repository.js';

/** Items read per request at most (the page's Queries): what bounds a page's cost whatever the record holds. */
export const MAX_ITEMS_READ = 2 * FHIR_PAGE_ENTRIES;

/**
 * The patient's record as FHIR R4 (API.md, "Patient records out: FHIR R4"; docs/fhir.md). Each page
 * is a `collection` Bundle of at most 500 entries that stands on its own: the Patient, the
 * resources of the next stretch of the patient's partition (each item mapped by the domain that
 * owns it, FhirMappings), and every resource those refer to (people, a dose's medication, the
 * result a correction replaces), so each reference resolves inside the page. The stretch ends where
 * the next item's resources would not fit, or after MAX_ITEMS_READ items; the cursor in `next` is
 * the last item's key.
 */
export class RecordsService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly policy: AccessPolicy,
    private readonly mappings: FhirMappings,
  ) {}

  async exportPatient(caller: Caller, ctx: WriteContext, patientId: string, query: FhirExportQuery): Promise<FhirBundle> {
    const orgId = caller.orgId;
    // The patient's item is read beside the access check, and its absence is the 404 staff get for a
    // patient that does not exist (so 'see', not 'existing', which would read it a second time).
    const patientItem = await this.policy.readAsViewer(caller, patientId, () => this.records.patient(orgId, patientId));
    if (!patientItem || patientItem.deleting === true) throw new NotFoundError('Patient not found');
    let after = query.cursor ? this.records.sortKeyOf(orgId, patientId, query.cursor) : undefined;

    const page = new Page(this.records, this.mappings, {
      orgId, patientId, viewer: viewerOf(caller, patientId), patientLogin: typeof patientItem.userId === 'string' ? patientItem.userId : undefined,
    });
    await page.add(patientItem, true);
    const since = query.since ? new Date(query.since).toISOString() : undefined;

    let read = 0;
    let next: string | undefined;
    let lastTaken: string | undefined;
    reading: for (;;) {
      const limit = Math.min(FHIR_PAGE_ENTRIES, MAX_ITEMS_READ - read);
      const { items, more } = await this.records.items(orgId, patientId, after, limit);
      read += items.length;
      for (const item of items) {
        const sk = String(item.SK);
        const changed = since === undefined || (typeof item.updatedAt === 'string' && item.updatedAt > since);
        if (sk !== 'PROFILE' && changed && !(await page.add(item, page.holdsOnlyThePatient()))) {
          next = lastTaken === undefined ? undefined : this.records.cursorAfter(orgId, patientId, lastTaken);
          break reading;
        }
        lastTaken = sk;
      }
      if (!more) break;
      after = lastTaken ?? after;
      if (read >= MAX_ITEMS_READ) {
        next = lastTaken === undefined ? undefined : this.records.cursorAfter(orgId, patientId, lastTaken);
        break;
      }
    }
    const resources = await page.finish();
    await this.records.recordExport(ctx, patientId, resources.length);

    const params = (cursor?: string) =>
      new URLSearchParams({ ...(query.since ? { since: query.since } : {}), ...(cursor ? { cursor } : {}) }).toString();
    const url = (cursor?: string) => `fhir${params(cursor) ? `?${params(cursor)}` : ''}`;
    return {
      // No Bundle id: a page is an answer, not a stored resource (the resources in it keep stable ids).
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: ctx.now,
      // Relative to this page's own URL (`.../patients/{id}/fhir`), so they hold behind any base path or stage.
      link: [{ relation: 'self', url: url(query.cursor) }, ...(next ? [{ relation: 'next' as const, url: url(next) }] : [])],
      entry: resources.map((resource) => ({ resource })),
    };
  }
}

function viewerOf(caller: Caller, patientId: string): FhirViewer {
  if (isStaff(caller)) return 'staff';
  return caller.roles.includes('patient') && caller.patientId === patientId ? 'patient' : 'clinician';
}

interface PageScope {
  orgId: string;
  patientId: string;
  viewer: FhirViewer;
  /** The patient's own login: a reference to it is the Patient. */
  patientLogin: string | undefined;
}

/**
 * One page being built. `add` maps an item and everything it refers to into a staging area, and
 * commits it only if the page still has room for all of it, so a page never holds a reference it
 * cannot resolve and never exceeds FHIR_PAGE_ENTRIES entries.
 */
class Page {
  /** `Type/id` -> resource, in the order they came. */
  private readonly resources = new Map<string, FhirResource>();
  /** Items of the partition already mapped here, by sort key (so a reference does not fetch them again). */
  private readonly mapped = new Set<string>();
  /** People named on the page, with every reference to each (filled in by `finish`). */
  private readonly people = new Map<string, FhirReference[]>();

  constructor(
    private readonly records: RecordsRepository,
    private readonly mappings: FhirMappings,
    private readonly scope: PageScope,
  ) {}

  /** Nothing on the page yet but the Patient: the next item goes on whatever it brings (a page always moves on). */
  holdsOnlyThePatient(): boolean {
    return this.resources.size <= 1 && this.people.size === 0;
  }

  /** Adds the item with its references; false (nothing added) when they would not fit, unless `force`. */
  async add(item: Item, force: boolean): Promise<boolean> {
    if (item.deleting === true || this.mapped.has(String(item.SK))) return true;
    const staged = new Map<string, FhirResource>();
    const stagedPeople = new Map<string, FhirReference[]>();
    const stagedItems = new Set<string>();
    let pending = [item];
    while (pending.length > 0) {
      const wanted = new Set<string>();
      for (const it of pending) {
        stagedItems.add(String(it.SK));
        for (const r of this.map(it, stagedPeople, wanted)) {
          const key = `${r.resourceType}/${r.id}`;
          if (!this.resources.has(key) && !staged.has(key)) staged.set(key, r);
        }
      }
      const missing = [...wanted].filter((sk) => !this.mapped.has(sk) && !stagedItems.has(sk));
      pending = missing.length ? await this.records.itemsByKey(this.scope.orgId, this.scope.patientId, missing) : [];
    }
    const newPeople = [...stagedPeople.keys()].filter((id) => !this.people.has(id) && id !== this.scope.patientLogin).length;
    if (!force && this.resources.size + this.people.size + staged.size + newPeople > FHIR_PAGE_ENTRIES) return false;
    for (const [k, r] of staged) this.resources.set(k, r);
    for (const sk of stagedItems) this.mapped.add(sk);
    for (const [id, refs] of stagedPeople) this.people.set(id, [...(this.people.get(id) ?? []), ...refs]);
    return true;
  }

  private map(item: Item, people: Map<string, FhirReference[]>, wanted: Set<string>): FhirResource[] {
    const mapper = typeof item.entityType === 'string' ? this.mappings.entities[item.entityType] : undefined;
    if (!mapper) return [];
    const patientRef = `Patient/${fhirId(this.scope.patientId)}`;
    const refs: FhirRefs = {
      orgId: this.scope.orgId,
      patientId: this.scope.patientId,
      viewer: this.scope.viewer,
      patient: () => ({ reference: patientRef }),
      person: (userId) => {
        if (userId === this.scope.patientLogin) return { reference: patientRef };
        const ref: FhirReference = {};
        people.set(userId, [...(people.get(userId) ?? []), ref]);
        return ref;
      },
      item: (sortKey, resourceType, id) => {
        wanted.add(sortKey);
        return { reference: `${resourceType}/${id}` };
      },
    };
    const out = mapper(item, refs);
    return out === undefined ? [] : Array.isArray(out) ? [...(out as FhirResource[])] : [out as FhirResource];
  }

  /** Reads the people the page names, adds their resources and fills in the references to them. */
  async finish(): Promise<FhirResource[]> {
    const ids = [...this.people.keys()];
    const found = new Map((await this.records.people(this.scope.orgId, ids)).map((p) => [p.userId, p]));
    const refs: FhirRefs = {
      orgId: this.scope.orgId,
      patientId: this.scope.patientId,
      viewer: this.scope.viewer,
      patient: () => ({ reference: `Patient/${fhirId(this.scope.patientId)}` }),
      person: () => ({}),
      item: (_sk, resourceType, id) => ({ reference: `${resourceType}/${id}` }),
    };
    for (const id of ids) {
      const person = found.get(id);
      let target: string | undefined;
      let display: string | undefined;
      if (person) {
        const resource = this.mappings.person(person, refs);
        target = `${resource.resourceType}/${resource.id}`;
        display = person.displayName;
        if (!this.resources.has(target)) this.resources.set(target, resource);
      }
      // Someone the org no longer knows: a display only, which refers to nothing outside the page.
      for (const ref of this.people.get(id)!) Object.assign(ref, target ? { reference: target } : {}, { display: display ?? 'Former user' });
    }
    return [...this.resources.values()];
  }
}
