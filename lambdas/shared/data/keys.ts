/**
 * Key formats of the entities shared by every domain, each in one place (docs/data-model.md).
 * Every key starts with the org, so a request can only build keys inside the caller's org.
 * Nothing outside the repositories imports this module.
 */
type Key = { PK: string; SK: string };

const org = (orgId: string) => `ORG#${orgId}`;
const patientPk = (orgId: string, patientId: string) => `${org(orgId)}#PAT#${patientId}`;
const userPk = (orgId: string, userId: string) => `${org(orgId)}#USER#${userId}`;

export const UserKeys = {
  key: (orgId: string, userId: string): Key => ({ PK: userPk(orgId, userId), SK: 'PROFILE' }),
  /** GSI1: users of an org, by role. */
  byRole: (orgId: string, role: string, userId: string) => ({ GSI1PK: `${org(orgId)}#USERS`, GSI1SK: `ROLE#${role}#${userId}` }),
  orgPartition: (orgId: string) => `${org(orgId)}#USERS`,
  rolePrefix: (role?: string) => (role ? `ROLE#${role}#` : 'ROLE#'),
};

export const PatientKeys = {
  key: (orgId: string, patientId: string): Key => ({ PK: patientPk(orgId, patientId), SK: 'PROFILE' }),
  partition: patientPk,
  /** GSI1: every patient of the org, by name, for staff. */
  byName: (orgId: string, displayName: string, patientId: string) => ({
    GSI1PK: `${org(orgId)}#PATIENTS`,
    GSI1SK: `${displayName.toLowerCase()}#${patientId}`,
  }),
  orgPartition: (orgId: string) => `${org(orgId)}#PATIENTS`,
};

/** Makes a medical record number unique in the org: put with the patient, in one transaction. */
export const MrnKeys = {
  key: (orgId: string, mrn: string): Key => ({ PK: `${org(orgId)}#MRN#${mrn.toUpperCase()}`, SK: 'MRN' }),
};

export const CareTeamKeys = {
  key: (orgId: string, patientId: string, userId: string): Key => ({ PK: patientPk(orgId, patientId), SK: `MEMBER#${userId}` }),
  prefix: 'MEMBER#',
  /** GSI1: "my patients" for a care-team member. */
  byUser: (orgId: string, userId: string, patientId: string) => ({ GSI1PK: userPk(orgId, userId), GSI1SK: `PAT#${patientId}` }),
  userPartition: userPk,
  userPrefix: 'PAT#',
};

export const IdempotencyKeys = {
  /** The client's key is hashed: it is free text and must not shape our keys. */
  key: (orgId: string, userId: string, keyHash: string): Key => ({ PK: userPk(orgId, userId), SK: `IDEM#${keyHash}` }),
};

/** Reads and sign-ins become items so the one stream -> audit path records them too. */
export const AccessRecordKeys = {
  key: (orgId: string, id: string): Key => ({ PK: `${org(orgId)}#ACCESS#${id}`, SK: 'ACCESS' }),
};

/**
 * A login's org (and patient record), by the user's `sub`, for logins that joined by invitation:
 * their immutable `custom:orgId`/`custom:patientId` attributes can never be set after sign-up, so
 * the pre-token-generation trigger and the sign-in audit look the org up here. Global (not under
 * an org) because the caller is Cognito, which knows the sub and not the org; written once, by the
 * post-confirmation trigger.
 */
export const LoginKeys = {
  key: (sub: string): Key => ({ PK: `LOGIN#${sub}`, SK: 'LOGIN' }),
};
