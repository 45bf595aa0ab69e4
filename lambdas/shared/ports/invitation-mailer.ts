import type { InvitedRole } from '../../../schemas/invitations.js';

/** The invitation email: the code goes to the invitee, and nothing clinical does. */
export interface InvitationEmail {
  to: string;
  role: InvitedRole;
  code: string;
  expiresAt: string;
  invitationId: string;
}

/**
 * Where invitation emails go. Locally: the outbox (`local/outbox.ts`). On AWS: SES from the
 * operator's sender (`ses-mailer.ts`), or nowhere when none is configured (the API answers the code
 * to the inviting staff member, who passes it on).
 */
export interface InvitationMailer {
  send(email: InvitationEmail): Promise<void>;
}
