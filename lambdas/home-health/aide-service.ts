import type { AideListQuery, AideProfile, PutAideProfileBody, SetAvailabilityBody } from '../../schemas/home-health.js';
import type { User } from '../../schemas/identity.js';
import type { Caller } from '../shared/auth/caller.js';
import type { Page } from '../shared/data/db.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../shared/errors.js';
import type { AideRepository } from './aide-repository.js';

/** What home health needs of the org's people: users, and patients (for a visit's recipient). */
export interface People {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  getPatient(orgId: string, patientId: string): Promise<{ id: string; displayName: string } | undefined>;
}

/**
 * Aides (API.md, "Aides, home visits and electronic visit verification"): staff keep an aide's
 * profile, the aide their availability. No HTTP, no SDK.
 */
export class AideService {
  constructor(
    private readonly aides: AideRepository,
    private readonly people: Pick<People, 'getUser'>,
  ) {}

  /** A PUT replaces the profile: a parallel replacement that won is simply replaced again (twice at most). */
  async putAide(ctx: WriteContext, userId: string, body: PutAideProfileBody): Promise<AideProfile> {
    const user = await this.people.getUser(ctx.orgId, userId);
    if (!user) throw new NotFoundError('User not found');
    if (user.role !== 'aide') throw new ValidationError('Only aide users have aide profiles', [{ path: 'userId', message: 'not an aide' }]);
    try {
      return await this.replaceAide(ctx, user, body);
    } catch (err) {
      if (err instanceof VersionConflictError) return this.replaceAide(ctx, user, body);
      throw err;
    }
  }

  private async replaceAide(ctx: WriteContext, user: User, body: PutAideProfileBody): Promise<AideProfile> {
    const userId = user.userId;
    const previous = await this.aides.getAide(ctx.orgId, userId, true);
    const profile: AideProfile = {
      id: userId,
      userId,
      displayName: user.displayName,
      skills: [...new Set(body.skills)],
      languages: body.languages ?? [],
      homeBase: body.homeBase,
      serviceRadiusKm: body.serviceRadiusKm,
      availability: body.availability,
      timezone: body.timezone,
      status: previous?.status ?? 'available',
      ...(previous?.until ? { until: previous.until } : {}),
      version: (previous?.version ?? 0) + 1,
      createdAt: previous?.createdAt ?? ctx.now,
      updatedAt: ctx.now,
    };
    return this.aides.putAide(ctx, profile, previous);
  }

  listAides(caller: Caller, query: AideListQuery): Promise<Page<AideProfile>> {
    return this.aides.listAides(caller.orgId, query.skill, query);
  }

  async setMyAvailability(ctx: WriteContext, body: SetAvailabilityBody): Promise<AideProfile> {
    if (body.until && body.status !== 'unavailable') {
      throw new ValidationError('until goes with status unavailable', [{ path: 'body.until', message: 'only with status unavailable' }]);
    }
    if (body.until && Date.parse(body.until) <= Date.parse(ctx.now)) {
      throw new ValidationError('until is in the past', [{ path: 'body.until', message: 'must be in the future' }]);
    }
    const aide = await this.aides.getAide(ctx.orgId, ctx.actorId, true);
    if (!aide) throw new NotFoundError('You have no aide profile yet; staff create it');
    return this.aides.setAideAvailability(ctx, aide, { status: body.status, until: body.until ? new Date(body.until).toISOString() : undefined });
  }
}
