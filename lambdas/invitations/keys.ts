/**
 * Key formats of the invitation items (docs/data-model.md, "Invitations"). Only the invitations
 * repository imports this module.
 */
type Key = { PK: string; SK: string };
const org = (orgId: string) => `ORG#${orgId}`;

export const InvitationKeys = {
  key: (orgId: string, invitationId: string): Key => ({ PK: `${org(orgId)}#INV#${invitationId}`, SK: 'INVITATION' }),
  /** GSI1: the org's invitations by stored status (pending, accepted, revoked), newest first (ULID ids). */
  byStatus: (orgId: string, status: string, invitationId: string) => ({ GSI1PK: `${org(orgId)}#INV#${status}`, GSI1SK: invitationId }),
  statusPartition: (orgId: string, status: string) => `${org(orgId)}#INV#${status}`,
  /** GSI2: every invitation of the org, newest first. */
  inOrg: (orgId: string, invitationId: string) => ({ GSI2PK: `${org(orgId)}#INV`, GSI2SK: invitationId }),
  orgPartition: (orgId: string) => `${org(orgId)}#INV`,
};

/**
 * The code's hash -> its invitation. Global: at sign-up Cognito knows the email and the code, not
 * the org. The code is random (60 bits) and only its SHA-256 is stored.
 */
export const InvitationCodeKeys = {
  key: (codeHash: string): Key => ({ PK: `INVCODE#${codeHash}`, SK: 'INVCODE' }),
};

/** The pending invitation of one email for one patient (re-inviting replaces it). The email is hashed: free text never shapes keys. */
export const InviteeKeys = {
  key: (orgId: string, patientId: string, emailHash: string): Key => ({ PK: `${org(orgId)}#INVITEE#${patientId}#${emailHash}`, SK: 'INVITEE' }),
};

/**
 * A sign-up admitted by the pre-sign-up trigger, by the user name's hash: the post-confirmation
 * trigger (whose event carries no invitation code) finds the invitation through it.
 */
export const SignUpKeys = {
  key: (usernameHash: string): Key => ({ PK: `SIGNUP#${usernameHash}`, SK: 'SIGNUP' }),
};
