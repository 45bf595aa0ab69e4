import type { Invitation, InvitationStatus } from '../../schemas/invitations.js';
import type { Db, Item, Page, TransactParts } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { LoginLinkEntity, PatientEntity, UserEntity } from '../shared/data/entities.js';
import { versioned } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError } from '../shared/errors.js';
import { emailRequestItem, type EmailRequest } from '../shared/outbox/email-request.js';
import { CareTeamWrites } from '../shared/people/care-team.js';
import { hashEmail } from './code.js';
import { InvitationCodeEntity, InvitationEntity, InviteeEntity, SignUpEntity } from './entities.js';

/** What is stored of an invitation: `expired` is derived (pending past `expiresAt`), never stored. */
export type StoredStatus = Exclude<InvitationStatus, 'expired'>;
export type StoredInvitation = Omit<Invitation, 'status'> & { status: StoredStatus; codeHash: string; version: number };

/** What the post-confirmation trigger writes for the new login, with the invitation's acceptance. */
export interface Acceptance {
  userId: string;
  displayName: string;
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** Code and sign-up items outlive the invitation by a day (TTL), so a late confirmation still finds them. */
const ttlAfter = (iso: string) => epochSeconds(iso) + 86_400;

/**
 * Invitations in the single table; the only code that knows their keys. Access patterns:
 * - invitation by id: GetItem `ORG#o#INV#i / INVITATION`
 * - org's invitations by stored status: Query GSI1 `ORG#o#INV#<status>` (newest first); all: GSI2 `ORG#o#INV`
 * - by code at sign-up: GetItem `INVCODE#<sha256(code)>` -> org and id, then the invitation
 * - the pending one of (patient, email): GetItem `ORG#o#INVITEE#p#<sha256(email)>`
 * - an admitted sign-up: GetItem `SIGNUP#<sha256(username)>` -> org and id
 */
export class InvitationRepository {
  private readonly careTeam: CareTeamWrites;

  constructor(private readonly db: Db) {
    this.careTeam = new CareTeamWrites(db);
  }

  async get(orgId: string, invitationId: string): Promise<StoredInvitation | undefined> {
    const item = await this.db.get(InvitationEntity.key(orgId, invitationId), true);
    return item ? toStored(item) : undefined;
  }

  async byCodeHash(codeHash: string): Promise<StoredInvitation | undefined> {
    const link = await this.db.get(InvitationCodeEntity.key(codeHash), true);
    if (!link) return undefined;
    const invitation = await this.get(String(link.orgId), String(link.invitationId));
    return invitation && invitation.codeHash === codeHash ? invitation : undefined;
  }

  /**
   * Creates the invitation, its code link and the (patient, email) pointer in one transaction;
   * a pending invitation of the same email for the same patient is revoked in it (its code stops
   * working at once). Concurrent re-invites: the pointer's condition lets one win, the other retries.
   * With `email`, the invitation email's request is written in the same transaction: it is sent
   * (by the delivery function) if and only if the invitation exists.
   */
  async create(ctx: WriteContext, invitation: StoredInvitation, email?: EmailRequest): Promise<void> {
    const pointerKey = InviteeEntity.key(ctx.orgId, invitation.patientId, hashEmail(invitation.email));
    for (let attempt = 0; ; attempt++) {
      const pointer = await this.db.get(pointerKey, true);
      const previous = pointer ? await this.get(ctx.orgId, String(pointer.invitationId)) : undefined;
      const parts: TransactParts = {
        invitation: this.db.put(
          InvitationEntity.newItem(
            {
              ...InvitationEntity.key(ctx.orgId, invitation.invitationId),
              ...InvitationEntity.byStatus(ctx.orgId, 'pending', invitation.invitationId),
              ...InvitationEntity.inOrg(ctx.orgId, invitation.invitationId),
            },
            {
              id: invitation.invitationId,
              invitationId: invitation.invitationId,
              email: invitation.email,
              role: invitation.role,
              patientId: invitation.patientId,
              status: 'pending',
              validUntil: invitation.expiresAt,
              createdBy: invitation.createdBy,
              codeHash: invitation.codeHash,
            },
            ctx,
          ),
          { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
        code: this.db.put(
          InvitationCodeEntity.newItem(InvitationCodeEntity.key(invitation.codeHash), {
            invitationId: invitation.invitationId, expiresAt: ttlAfter(invitation.expiresAt),
          }, ctx),
          { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
        invitee: this.db.put(
          InviteeEntity.newItem(pointerKey, { invitationId: invitation.invitationId, patientId: invitation.patientId }, ctx),
          pointer
            ? { ConditionExpression: 'invitationId = :was', ExpressionAttributeValues: { ':was': pointer.invitationId } }
            : { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
        ...(previous?.status === 'pending' ? { replaced: this.revokeItems(ctx, previous) } : {}),
        ...(email ? { email: this.db.put(emailRequestItem(ctx, email), { ConditionExpression: 'attribute_not_exists(PK)' }) } : {}),
      };
      try {
        await this.db.transact(parts);
        return;
      } catch (err) {
        if (err instanceof TransactionCancelledError && attempt < 3) continue;
        throw err;
      }
    }
  }

  /** Revokes a pending invitation (also one past its expiry): its code stops working. */
  async revoke(ctx: WriteContext, invitation: StoredInvitation): Promise<void> {
    if (invitation.status !== 'pending') throw new InvalidTransitionError(`The invitation is ${invitation.status}, not pending`);
    try {
      await this.db.transact({ revoke: this.revokeItems(ctx, invitation) });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('revoke')) throw new InvalidTransitionError('The invitation is no longer pending');
      throw err;
    }
  }

  /** The invitation (-> revoked, on condition it is still pending) and the removal of its code. */
  private revokeItems(ctx: WriteContext, invitation: StoredInvitation) {
    return [
      this.db.update({
        Key: InvitationEntity.key(ctx.orgId, invitation.invitationId),
        ...versioned(ctx)
          .set({ status: 'revoked', revokedAt: ctx.now, ...InvitationEntity.byStatus(ctx.orgId, 'revoked', invitation.invitationId) })
          .compare('status', '=', 'pending')
          .build(),
      }),
      this.db.delete({ Key: InvitationCodeEntity.key(invitation.codeHash) }),
    ];
  }

  /** The org's invitations, newest first; `pending` and `expired` split the stored pending ones at `now`. */
  async list(orgId: string, status: InvitationStatus | undefined, now: string, page: { limit: number; cursor?: string }): Promise<Page<StoredInvitation>> {
    const stored: StoredStatus | undefined = status === 'expired' ? 'pending' : status;
    const [index, attribute, partition] = stored
      ? (['GSI1', 'GSI1PK', InvitationEntity.statusPartition(orgId, stored)] as const)
      : (['GSI2', 'GSI2PK', InvitationEntity.orgPartition(orgId)] as const);
    const filter =
      status === 'pending' ? { FilterExpression: 'validUntil > :now' } : status === 'expired' ? { FilterExpression: 'validUntil <= :now' } : {};
    const out = await this.db.queryPage<Item>(
      {
        IndexName: index,
        KeyConditionExpression: `${attribute} = :pk`,
        ExpressionAttributeValues: { ':pk': partition, ...(status === 'pending' || status === 'expired' ? { ':now': now } : {}) },
        ScanIndexForward: false,
        ...filter,
      },
      page,
      { attribute, value: partition },
    );
    return { items: out.items.map(toStored), nextCursor: out.nextCursor };
  }

  // ---- sign-up (the Cognito triggers) -----------------------------------------------------------

  /** Remembers which invitation admitted a sign-up (overwrites an earlier, unconfirmed attempt). */
  async admitSignUp(ctx: WriteContext, usernameHash: string, invitation: StoredInvitation): Promise<void> {
    await this.db.putItem(
      SignUpEntity.newItem(SignUpEntity.key(usernameHash), { invitationId: invitation.invitationId, expiresAt: ttlAfter(invitation.expiresAt) }, ctx),
    );
  }

  async admittedSignUp(usernameHash: string): Promise<StoredInvitation | undefined> {
    const item = await this.db.get(SignUpEntity.key(usernameHash), true);
    return item ? this.get(String(item.orgId), String(item.invitationId)) : undefined;
  }

  /**
   * Accepts the invitation for the new login, all in one transaction conditioned on the invitation
   * still being pending: the profile, the patient link or the care-team membership, the login link
   * (the org for tokens), and the code's removal. A retried trigger finds it accepted by the same
   * user and writes nothing (answers false); anyone else gets InvalidTransitionError.
   */
  async accept(ctx: WriteContext, invitation: StoredInvitation, login: Acceptance): Promise<boolean> {
    const { orgId } = ctx;
    const { userId } = login;
    const parts: TransactParts = {
      invitation: this.db.update({
        Key: InvitationEntity.key(orgId, invitation.invitationId),
        ...versioned(ctx)
          .set({ status: 'accepted', acceptedAt: ctx.now, userId, ...InvitationEntity.byStatus(orgId, 'accepted', invitation.invitationId) })
          .compare('status', '=', 'pending')
          .build(),
      }),
      profile: this.db.put(
        UserEntity.newItem({ ...UserEntity.key(orgId, userId), ...UserEntity.byRole(orgId, invitation.role, userId) }, {
          id: userId,
          userId,
          email: invitation.email,
          displayName: login.displayName,
          role: invitation.role,
          ...(invitation.role === 'patient' ? { patientId: invitation.patientId } : {}),
          invitationId: invitation.invitationId,
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      login: this.db.put(
        LoginLinkEntity.newItem(LoginLinkEntity.key(userId), {
          userId,
          role: invitation.role,
          ...(invitation.role === 'patient' ? { patientId: invitation.patientId } : {}),
          invitationId: invitation.invitationId,
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      code: this.db.delete({ Key: InvitationCodeEntity.key(invitation.codeHash) }),
      ...(invitation.role === 'patient'
        ? {
            patientLink: this.db.update({
              Key: PatientEntity.key(orgId, invitation.patientId),
              ...versioned(ctx).set({ userId }).absent('userId').build(),
            }),
          }
        : {
            patientExists: this.db.conditionCheck({ Key: PatientEntity.key(orgId, invitation.patientId), ConditionExpression: 'attribute_exists(PK)' }),
            // The login is new this moment: it is on no care team yet (nothing to read or retry).
            ...this.careTeam.firstLink(ctx, {
              patientId: invitation.patientId,
              member: { userId, displayName: login.displayName, email: invitation.email, role: 'family' },
              relationship: 'family',
              addedBy: invitation.createdBy,
            }),
          }),
    };
    try {
      await this.db.transact(parts);
      return true;
    } catch (err) {
      if (!(err instanceof TransactionCancelledError)) throw err;
      const now = await this.get(orgId, invitation.invitationId);
      if (now?.status === 'accepted' && now.userId === userId) return false;
      if (err.failed('invitation')) throw new InvalidTransitionError(`The invitation is ${now?.status ?? 'gone'}, not pending`);
      if (err.failed('patientLink')) throw new InvalidTransitionError('The patient already has a login');
      if (err.failed('patientExists')) throw new NotFoundError('The invited patient no longer exists');
      throw err;
    }
  }
}

function toStored(item: Item): StoredInvitation {
  return {
    invitationId: String(item.invitationId),
    orgId: String(item.orgId),
    email: String(item.email),
    role: item.role as StoredInvitation['role'],
    patientId: String(item.patientId),
    status: item.status as StoredStatus,
    expiresAt: String(item.validUntil),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    codeHash: String(item.codeHash),
    version: Number(item.version),
    ...(typeof item.acceptedAt === 'string' ? { acceptedAt: item.acceptedAt } : {}),
    ...(typeof item.userId === 'string' ? { userId: item.userId } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}
