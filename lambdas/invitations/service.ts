import { ulid } from 'ulid';
import type { CreatedInvitation, CreateInvitationBody, Invitation, InvitationStatus } from '../../schemas/invitations.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy, PatientReader } from '../shared/auth/policy.js';
import type { Page } from '../shared/data/db.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { hashCode, newInvitationCode } from './code.js';
import { invitationText } from './mailer.js';
import type { InvitationRepository, StoredInvitation } from './repository.js';

export const INVITATION_VALIDITY_MS = 7 * 24 * 3600 * 1000;

/** Is the patient record already linked to a login (a second patient invitation cannot be accepted)? */
export interface PatientLoginReader extends PatientReader {
  getPatient(orgId: string, patientId: string, consistent?: boolean): Promise<{ userId?: string } | undefined>;
}

/** The status clients see: a pending invitation past its expiry is `expired`. */
export function visibleStatus(invitation: Pick<StoredInvitation, 'status' | 'expiresAt'>, now: string): InvitationStatus {
  return invitation.status === 'pending' && invitation.expiresAt <= now ? 'expired' : invitation.status;
}

export function toInvitation(stored: StoredInvitation, now: string): Invitation {
  const { codeHash: _c, version: _v, ...rest } = stored;
  return { ...rest, status: visibleStatus(stored, now) };
}

/** Invitations (API.md, "Invitations and sign-up"): staff invite patients and family by email. */
export class InvitationService {
  constructor(
    private readonly repo: InvitationRepository,
    private readonly policy: AccessPolicy,
    private readonly patients: PatientLoginReader,
    /** Whether invitations are emailed (a sender is configured); otherwise staff pass the code on. */
    private readonly emails: boolean,
  ) {}

  async create(caller: Caller, ctx: WriteContext, body: CreateInvitationBody): Promise<CreatedInvitation> {
    await this.policy.assertCanSeePatient(caller, body.patientId);
    const patient = await this.patients.getPatient(ctx.orgId, body.patientId, true);
    if (!patient) throw new NotFoundError('Patient not found');
    if (body.role === 'patient' && patient.userId) throw new ConflictError('This patient already has a login');
    const code = newInvitationCode();
    const expiresAt = new Date(Date.parse(ctx.now) + INVITATION_VALIDITY_MS).toISOString();
    const invitation: StoredInvitation = {
      invitationId: ulid(Date.parse(ctx.now)),
      orgId: ctx.orgId,
      email: body.email,
      role: body.role,
      patientId: body.patientId,
      status: 'pending',
      expiresAt,
      createdAt: ctx.now,
      createdBy: ctx.actorId,
      codeHash: hashCode(code),
      version: 1,
    };
    // The email is a request in the same transaction; the delivery function sends it (one place
    // sends email: its at-most-once record, retries and DLQ), so this function needs no SES client.
    const email = this.emails
      ? { requestId: invitation.invitationId, to: body.email, purpose: 'invitation', notAfter: expiresAt, ...invitationText({ role: body.role, code, expiresAt }) }
      : undefined;
    await this.repo.create(ctx, invitation, email);
    return { invitationId: invitation.invitationId, code, expiresAt };
  }

  async list(caller: Caller, now: string, status: InvitationStatus | undefined, page: { limit: number; cursor?: string }): Promise<Page<Invitation>> {
    const out = await this.repo.list(caller.orgId, status, now, page);
    return { items: out.items.map((i) => toInvitation(i, now)), nextCursor: out.nextCursor };
  }

  async revoke(caller: Caller, ctx: WriteContext, invitationId: string): Promise<void> {
    const invitation = await this.repo.get(caller.orgId, invitationId);
    if (!invitation) throw new NotFoundError('Invitation not found');
    await this.repo.revoke(ctx, invitation);
  }
}
