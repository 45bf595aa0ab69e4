import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, PhoneNumber, Text, TimeZone, Version } from './common.js';
import { Role } from './roles.js';

// ---- Users ---------------------------------------------------------------------------------

export const Me = z.object({
  userId: z.string(),
  orgId: z.string(),
  roles: z.array(Role),
  email: z.string(),
  displayName: z.string(),
  patientId: z.optional(z.string()),
});
export type Me = z.infer<typeof Me>;

export const CreateUserBody = z
  .strictObject({
    email: z.pipe(
      z.email().check(z.maxLength(254)),
      z.transform((e: string) => e.toLowerCase()),
    ),
    displayName: Text(200),
    role: Role,
    patientId: z.optional(Id),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.role === 'patient' && !b.patientId) {
        ctx.addIssue({ code: 'custom', path: ['patientId'], message: 'a patient login must be linked to its patient record' });
      }
      if (b.role !== 'patient' && b.patientId) {
        ctx.addIssue({ code: 'custom', path: ['patientId'], message: 'only a patient login links to a patient record' });
      }
    }),
  );
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const User = z.object({
  userId: z.string(),
  orgId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  patientId: z.optional(z.string()),
  createdAt: IsoDateTime,
});
export type User = z.infer<typeof User>;

export const CreatedUser = z.object({
  userId: z.string(),
  email: z.string(),
  role: Role,
  displayName: z.string(),
  patientId: z.optional(z.string()),
  /** Local stack only: a password usable for sign-in at once. */
  password: z.optional(z.string()).check(z.describe('Local stack only: a password usable for sign-in at once')),
});
export type CreatedUser = z.infer<typeof CreatedUser>;

export const ListUsersQuery = z.extend(ListQuery, { role: z.optional(Role) });

// ---- Patients ------------------------------------------------------------------------------

export { Contact } from './common.js';
import { Contact } from './common.js';

const PatientFields = {
  displayName: Text(200),
  medicalRecordNumber: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be 1-64 letters, digits, . _ / -')),
  dateOfBirth: IsoDate.check(z.refine((d) => d <= new Date().toISOString().slice(0, 10), 'must not be in the future')),
  facility: Text(200),
  room: Text(50),
  primaryClinic: Text(200),
  phoneNumber: PhoneNumber,
  timezone: TimeZone,
  contact: Contact,
};

export const CreatePatientBody = z.strictObject({
  displayName: PatientFields.displayName,
  medicalRecordNumber: PatientFields.medicalRecordNumber,
  dateOfBirth: z.optional(PatientFields.dateOfBirth),
  facility: z.optional(PatientFields.facility),
  room: z.optional(PatientFields.room),
  primaryClinic: z.optional(PatientFields.primaryClinic),
  phoneNumber: z.optional(PatientFields.phoneNumber),
  timezone: z.optional(PatientFields.timezone),
  contact: z.optional(PatientFields.contact),
});
export type CreatePatientBody = z.infer<typeof CreatePatientBody>;

export const UpdatePatientBody = z
  .strictObject({
    version: Version,
    displayName: z.optional(PatientFields.displayName),
    medicalRecordNumber: z.optional(PatientFields.medicalRecordNumber),
    dateOfBirth: z.optional(z.nullable(PatientFields.dateOfBirth)),
    facility: z.optional(z.nullable(PatientFields.facility)),
    room: z.optional(z.nullable(PatientFields.room)),
    primaryClinic: z.optional(z.nullable(PatientFields.primaryClinic)),
    phoneNumber: z.optional(z.nullable(PatientFields.phoneNumber)),
    timezone: z.optional(z.nullable(PatientFields.timezone)),
    contact: z.optional(z.nullable(PatientFields.contact)),
    isActive: z.optional(z.boolean()),
  })
  .check(
    z.refine((b) => Object.keys(b).some((k) => k !== 'version'), {
      message: 'name at least one field to change',
      path: [],
    }),
  );
export type UpdatePatientBody = z.infer<typeof UpdatePatientBody>;

export const Patient = z.object({
  ...EntityMeta,
  orgId: z.string(),
  displayName: z.string(),
  medicalRecordNumber: z.string().check(z.describe('Unique within the org')),
  dateOfBirth: z.optional(IsoDate),
  facility: z.optional(z.string()),
  room: z.optional(z.string()),
  primaryClinic: z.optional(z.string()),
  phoneNumber: z.optional(z.string()),
  timezone: z.optional(z.string()),
  contact: z.optional(Contact),
  isActive: z.boolean().check(z.describe('False once the patient has left care; the record stays')),
  /** The `patient` login linked to this record, if any. */
  userId: z.optional(z.string()).check(z.describe('The `patient` login linked to this record, if any')),
});
export type Patient = z.infer<typeof Patient>;

export { PatientParams } from './common.js';

// ---- Care teams ----------------------------------------------------------------------------

export const Relationship = z.enum(['family', 'aide', 'clinician', 'coordinator']);
export type Relationship = z.infer<typeof Relationship>;

export const PutCareTeamMemberBody = z.strictObject({ relationship: Relationship });
export const CareTeamParams = z.strictObject({ patientId: Id, userId: Id });

export const CareTeamMember = z.object({
  patientId: z.string(),
  userId: z.string(),
  relationship: Relationship,
  displayName: z.string(),
  email: z.string(),
  role: Role,
  addedAt: IsoDateTime,
  addedBy: z.string().check(z.describe('The user who added the member')),
  version: z.number().check(z.int()),
});
export type CareTeamMember = z.infer<typeof CareTeamMember>;

export const Health = z.object({ status: z.literal('ok') });
