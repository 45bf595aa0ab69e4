/**
 * The entities every domain shares (users, patients, care teams) and the bookkeeping items of
 * lambdas/shared/data. Only repositories import this module.
 */
import type { CareTeamMember, Patient, User } from '../../../schemas/identity.js';
import { entity, pick } from './entity.js';
import { AccessRecordKeys, CareTeamKeys, IdempotencyKeys, LoginKeys, MrnKeys, PatientKeys, UserKeys } from './keys.js';

export const UserEntity = entity(
  'User',
  UserKeys,
  pick<User>(['userId', 'orgId', 'email', 'displayName', 'role', 'patientId', 'createdAt']),
);

export const PatientEntity = entity(
  'Patient',
  PatientKeys,
  pick<Patient>([
    'id', 'orgId', 'version', 'createdAt', 'updatedAt', 'displayName', 'medicalRecordNumber', 'dateOfBirth', 'facility',
    'room', 'primaryClinic', 'phoneNumber', 'timezone', 'contact', 'isActive', 'userId',
  ]),
);

/** Makes a medical record number unique in the org: written with the patient, in one transaction. */
export const MrnClaimEntity = entity('MrnClaim', MrnKeys);

export const CareTeamMemberEntity = entity(
  'CareTeamMember',
  CareTeamKeys,
  pick<CareTeamMember>(['patientId', 'userId', 'relationship', 'displayName', 'email', 'role', 'addedAt', 'addedBy', 'version']),
);

export const IdempotencyRecordEntity = entity('IdempotencyRecord', IdempotencyKeys);

export const AccessRecordEntity = entity('AccessRecord', AccessRecordKeys);

/** An invited login's org and patient, by sub (`LoginKeys`): written at acceptance, read for tokens. */
export const LoginLinkEntity = entity('LoginLink', LoginKeys);
