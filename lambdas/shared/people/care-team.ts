import type { CareTeamMember, Relationship, User } from '../../../schemas/identity.js';
import type { Db, Item, TransactItem } from '../data/db.js';
import { TransactionCancelledError } from '../data/transaction-failures.js';
import { CareTeamMemberEntity } from '../data/entities.js';
import type { WriteContext } from '../data/write-context.js';

/** The name of the care-team link's part in every transaction that writes one. */
export const CARE_TEAM_JOIN_PART = 'careTeamJoin';

/** Who joins: the user's name, address and role, copied onto the link (the care-team list shows them). */
export type MemberProfile = Pick<User, 'userId' | 'displayName' | 'email' | 'role'>;

/** What a write gets to commit with its own parts: the link's part, or nothing when there is nothing to write. */
export type CareTeamJoin = { [CARE_TEAM_JOIN_PART]?: TransactItem };

export interface JoinRequest {
  patientId: string;
  member: MemberProfile;
  relationship: Relationship;
  /**
   * `join`: put the user on the team unless they are on it (a booking that brings an aide or a
   * provider, an accepted invitation); an existing link is left as it is.
   * `put`: add the user or change their relationship (identity's care-team route).
   */
  mode: 'join' | 'put';
  /** @default - the writer (`ctx.actorId`) */
  addedBy?: string;
}

/** Attempts of one write: a second one settles a join raced by another; the rest cover puts raced by puts. */
const ATTEMPTS = 5;

/**
 * The one writer of care-team links (`ORG#o#PAT#p / MEMBER#u`, the item the access policy reads).
 * Five flows write a link: identity's care-team route, an accepted family invitation, a concierge
 * booking with a provider, a home-health visit assignment and a respite acceptance. Each commits the
 * link in its own transaction, so `write` hands the flow the link's part and the flow commits it
 * with its own parts.
 *
 * The link is read (consistently) first and written on condition that it is still what was read:
 * absent or being removed (`deleting`), or at the version read. When the flow's transaction fails
 * on the link (a parallel request wrote it in between), the link is read again and the flow runs
 * again: a join then finds the user on the team and writes no link; a put writes over the new
 * version. This is the only retry shape of a care-team write.
 */
export class CareTeamWrites {
  constructor(private readonly db: Db) {}

  /** Whether the user is on the patient's care team now (consistent: a removal ends access at once). */
  async isMember(orgId: string, patientId: string, userId: string): Promise<boolean> {
    return (await this.live(orgId, patientId, userId)) !== undefined;
  }

  /**
   * Runs `write` with the link's part (or none: a join of a user already on the team), again with a
   * fresh read when its transaction fails on that part. `member` is the link as the part writes it.
   */
  async write<T>(ctx: WriteContext, req: JoinRequest, write: (join: CareTeamJoin, member: CareTeamMember | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.live(ctx.orgId, req.patientId, req.member.userId);
      const item = current && req.mode === 'join' ? undefined : this.item(ctx, req, current);
      const join: CareTeamJoin = item ? { [CARE_TEAM_JOIN_PART]: this.db.put(item, guard(current)) } : {};
      try {
        return await write(join, item ? CareTeamMemberEntity.fromItem(item) : undefined);
      } catch (err) {
        const raced = item && err instanceof TransactionCancelledError && err.failed(CARE_TEAM_JOIN_PART);
        if (!raced || attempt >= ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * The link's part for a user who cannot be on any care team yet (a login created this moment:
   * an accepted invitation), so there is nothing to read and no race to retry: the same item and
   * condition as `write`'s join.
   */
  firstLink(ctx: WriteContext, req: Omit<JoinRequest, 'mode'>): CareTeamJoin {
    return { [CARE_TEAM_JOIN_PART]: this.db.put(this.item(ctx, { ...req, mode: 'join' }, undefined), guard(undefined)) };
  }

  /** The link, unless absent or being removed. */
  private async live(orgId: string, patientId: string, userId: string): Promise<Item | undefined> {
    const item = await this.db.get(CareTeamMemberEntity.key(orgId, patientId, userId), true);
    return item && item.deleting !== true ? item : undefined;
  }

  /** The link's item: a new one at version 1, or the current one changed (added when and by whom it was). */
  private item(ctx: WriteContext, req: JoinRequest, current: Item | undefined): Item {
    const { patientId, member } = req;
    const key = CareTeamMemberEntity.key(ctx.orgId, patientId, member.userId);
    const item = CareTeamMemberEntity.newItem({ ...key, ...CareTeamMemberEntity.byUser(ctx.orgId, member.userId, patientId) }, {
      id: member.userId,
      patientId,
      userId: member.userId,
      relationship: req.relationship,
      displayName: member.displayName,
      email: member.email,
      role: member.role,
      addedAt: current ? current.addedAt : ctx.now,
      addedBy: current ? current.addedBy : (req.addedBy ?? ctx.actorId),
    }, ctx);
    return current ? { ...item, version: Number(current.version) + 1, createdAt: current.createdAt } : item;
  }
}

/** The link is still as read: absent (or being removed), or at the version read. */
function guard(current: Item | undefined) {
  return current
    ? { ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': current.version } }
    : { ConditionExpression: 'attribute_not_exists(PK) OR deleting = :true', ExpressionAttributeValues: { ':true': true } };
}
