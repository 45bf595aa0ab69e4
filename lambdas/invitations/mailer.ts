import type { InvitedRole } from '../../schemas/invitations.js';

/** What the invitation email says: the code goes to the invitee, and nothing clinical does. */
export interface InvitationEmail {
  role: InvitedRole;
  code: string;
  expiresAt: string;
}

/** Text of the email: a short line and the code, no patient name or clinical detail. */
export function invitationText(email: InvitationEmail): { subject: string; text: string } {
  const who = email.role === 'patient' ? 'your own care record' : "a family member's care team";
  return {
    subject: 'Your CareStack invitation',
    text: `You are invited to join CareStack for ${who}. Sign up with this email address and the invitation code ${email.code} before ${email.expiresAt}.`,
  };
}
