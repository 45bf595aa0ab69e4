
export type { InvitationEmail, InvitationMailer } from '../shared/ports/invitation-mailer.js';
import type { InvitationEmail } from '../shared/ports/invitation-mailer.js';

/** Text of the email: a short line and the code, no patient name or clinical detail. */
export function invitationText(email: InvitationEmail): { subject: string; text: string } {
  const who = email.role === 'patient' ? 'your own care record' : "a family member's care team";
  return {
    subject: 'Your CareStack invitation',
    text: `You are invited to join CareStack for ${who}. Sign up with this email address and the invitation code ${email.code} before ${email.expiresAt}.`,
  };
}
