import type { CreateProviderBody, Provider, ProviderListQuery, Slot, SlotQuery, UpdateProviderBody } from '../../../schemas/concierge.js';
import type { Caller } from '../../shared/auth/caller.js';
import type { Page } from '../../shared/data/db.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ForbiddenError, NotFoundError, ValidationError, VersionConflictError } from '../../shared/errors.js';
import type { People } from '../context.js';
import { appointmentMinutes, freeSlots } from '../rules.js';
import type { ProviderRepository } from './repository.js';

const MINUTE = 60_000;
const MAX_SLOT_WINDOW_MS = 31 * 24 * 60 * MINUTE;

/**
 * Providers and their free slots (API.md, "Medical concierge"). Every caller of the org reads the
 * directory; a profile changes by an admin or the provider themself. No HTTP, no SDK.
 */
export class ProviderService {
  constructor(
    private readonly repo: ProviderRepository,
    private readonly people: People,
  ) {}

  async createProvider(ctx: WriteContext, body: CreateProviderBody, idem?: IdempotencyRequest): Promise<Provider> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Provider;
    const user = await this.people.getUser(ctx.orgId, body.userId);
    if (!user) throw new NotFoundError('User not found');
    if (user.role !== 'clinician') throw new ValidationError('A provider is a clinician', [{ path: 'body.userId', message: 'must be a clinician user of the org' }]);
    const provider: Provider = {
      id: user.userId,
      providerId: user.userId,
      displayName: user.displayName,
      specialty: body.specialty,
      ...(body.clinic !== undefined ? { clinic: body.clinic } : {}),
      ...(body.contact !== undefined ? { contact: body.contact } : {}),
      timezone: body.timezone,
      availability: body.availability,
      slotMinutes: body.slotMinutes,
      bufferMinutes: body.bufferMinutes ?? 0,
      minNoticeMinutes: body.minNoticeMinutes ?? 60,
      horizonDays: body.horizonDays ?? 90,
      isActive: true,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createProvider(ctx, provider, idem);
  }

  async getProvider(caller: Caller, providerId: string): Promise<Provider> {
    const provider = await this.repo.getProvider(caller.orgId, providerId);
    if (!provider) throw new NotFoundError('Provider not found');
    return provider;
  }

  listProviders(caller: Caller, query: ProviderListQuery): Promise<Page<Provider>> {
    return this.repo.listProviders(caller.orgId, query.specialty, query);
  }

  /** Admin, or the provider themself; booked appointments stay as they are. */
  async updateProvider(caller: Caller, ctx: WriteContext, providerId: string, body: UpdateProviderBody): Promise<Provider> {
    const current = await this.repo.getProvider(caller.orgId, providerId, true);
    if (!current) throw new NotFoundError('Provider not found');
    if (!caller.roles.includes('admin') && caller.userId !== providerId) throw new ForbiddenError('Only an admin or the provider may change this profile');
    if (body.version !== current.version) throw new VersionConflictError();
    const { version, ...changes } = body;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<Provider>;
    return this.repo.updateProvider(ctx, current, defined, version);
  }

  /** Free slots in [from, to): reads the provider's calendar days of that window only. */
  async slots(caller: Caller, ctx: WriteContext, providerId: string, query: SlotQuery): Promise<Page<Slot>> {
    const provider = await this.getProvider(caller, providerId);
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) throw new ValidationError('to must be after from', [{ path: 'query.to', message: 'must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_SLOT_WINDOW_MS) throw new ValidationError('The window is longer than 31 days', [{ path: 'query.to', message: 'at most 31 days after from' }]);
    const duration = appointmentMinutes(provider, query.durationMinutes, 'query.durationMinutes');
    if (!provider.isActive) return { items: [], nextCursor: null };
    const after = query.cursor ? decodeSlotCursor(query.cursor) : undefined;
    const margin = provider.bufferMinutes + duration;
    const booked = await this.repo.bookedEntries(ctx.orgId, providerId, new Date(from.getTime() - margin * MINUTE).toISOString(), new Date(to.getTime() + margin * MINUTE).toISOString());
    const all = freeSlots(provider, { from, to, durationMinutes: duration, now: new Date(ctx.now) }, booked).filter((s) => !after || s.startAt > after);
    const items = all.slice(0, query.limit);
    return { items, nextCursor: all.length > query.limit ? Buffer.from(items.at(-1)!.startAt).toString('base64url') : null };
  }
}

function decodeSlotCursor(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) {
    throw new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'use nextCursor from the previous page' }]);
  }
  return value;
}
