import * as z from 'zod/mini';
import { Id, IsoDateTime, ListQuery } from './common.js';

// ---- Invitations (API.md, "Invitations and sign-up") ------------------------------------------

/** Who may be invited: patients (linked to their record) and family (joining the care team). */
export const InvitedRole = z.enum(['patient', 'family']);
export type InvitedRole = z.infer<typeof InvitedRole>;

export const InvitationStatus = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

export const CreateInvitationBody = z.strictObject({
  email: z.pipe(
    z.email().check(z.maxLength(254)),
    z.transform((e: string) => e.toLowerCase()),
  ),
  role: InvitedRole,
  patientId: Id,
});
export type CreateInvitationBody = z.infer<typeof CreateInvitationBody>;

/** The answer to POST /invitations: the only time the code is ever shown (it is stored hashed). */
export const CreatedInvitation = z.object({
  invitationId: z.string(),
  code: z.string().check(z.describe('Single-use sign-up code: SignUp with ClientMetadata { invitationCode }')),
  expiresAt: IsoDateTime,
});
export type CreatedInvitation = z.infer<typeof CreatedInvitation>;

export const Invitation = z.object({
  invitationId: z.string(),
  orgId: z.string(),
  email: z.string(),
  role: InvitedRole,
  patientId: z.string(),
  status: InvitationStatus.check(z.describe('`expired`: still pending past expiresAt')),
  expiresAt: IsoDateTime,
  createdAt: IsoDateTime,
  createdBy: z.string(),
  acceptedAt: z.optional(IsoDateTime),
  userId: z.optional(z.string().check(z.describe('The login the invitation created, once accepted'))),
  revokedAt: z.optional(IsoDateTime),
});
export type Invitation = z.infer<typeof Invitation>;

export const InvitationParams = z.strictObject({ invitationId: Id });
export const InvitationListQuery = z.extend(ListQuery, { status: z.optional(InvitationStatus) });
