import * as z from 'zod';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, PhoneNumber, Text, TimeZone, Version } from './common.js';
import { Role } from './roles.js';

// ---- Users ---------------------------------------------------------------------------------

export const Me = z.object({
  userId: z.string(),
  orgId: z.string(),
  roles: z.array(Role),
  email: z.string(),
  displayName: z.string(),
  patientId: z.string().optional(),
});
export type Me = z.infer<typeof Me>;

export const CreateUserBody = z
  .strictObject({
    email: z.email().max(254).transform((e) => e.toLowerCase()),
    displayName: Text(200),
    role: Role,
    patientId: Id.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.role === 'patient' && !b.patientId) {
      ctx.addIssue({ code: 'custom', path: ['patientId'], message: 'a patient login must be linked to its patient record' });
    }
    if (b.role !== 'patient' && b.patientId) {
      ctx.addIssue({ code: 'custom', path: ['patientId'], message: 'only a patient login links to a patient record' });
    }
  });
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const User = z.object({
  userId: z.string(),
  orgId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  patientId: z.string().optional(),
  createdAt: IsoDateTime,
});
export type User = z.infer<typeof User>;

export const CreatedUser = z.object({
  userId: z.string(),
  email: z.string(),
  role: Role,
  displayName: z.string(),
  patientId: z.string().optional(),
  /** Local stack only: a password usable for sign-in at once. */
  password: z.string().optional().describe('Local stack only: a password usable for sign-in at once'),
});
export type CreatedUser = z.infer<typeof CreatedUser>;

export const ListUsersQuery = ListQuery.extend({ role: Role.optional() });

// ---- Patients ------------------------------------------------------------------------------

export const Contact = z.strictObject({
  name: Text(200),
  relationship: Text(100).optional(),
  phoneNumber: PhoneNumber.optional(),
  email: z.email().max(254).optional(),
});

const PatientFields = {
  displayName: Text(200),
  medicalRecordNumber: z.string().trim().regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be 1-64 letters, digits, . _ / -'),
  dateOfBirth: IsoDate.refine((d) => d <= new Date().toISOString().slice(0, 10), 'must not be in the future'),
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
  dateOfBirth: PatientFields.dateOfBirth.optional(),
  facility: PatientFields.facility.optional(),
  room: PatientFields.room.optional(),
  primaryClinic: PatientFields.primaryClinic.optional(),
  phoneNumber: PatientFields.phoneNumber.optional(),
  timezone: PatientFields.timezone.optional(),
  contact: PatientFields.contact.optional(),
});
export type CreatePatientBody = z.infer<typeof CreatePatientBody>;

export const UpdatePatientBody = z
  .strictObject({
    version: Version,
    displayName: PatientFields.displayName.optional(),
    medicalRecordNumber: PatientFields.medicalRecordNumber.optional(),
    dateOfBirth: PatientFields.dateOfBirth.nullable().optional(),
    facility: PatientFields.facility.nullable().optional(),
    room: PatientFields.room.nullable().optional(),
    primaryClinic: PatientFields.primaryClinic.nullable().optional(),
    phoneNumber: PatientFields.phoneNumber.nullable().optional(),
    timezone: PatientFields.timezone.nullable().optional(),
    contact: PatientFields.contact.nullable().optional(),
    isActive: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), {
    message: 'name at least one field to change',
    path: [],
  });
export type UpdatePatientBody = z.infer<typeof UpdatePatientBody>;

export const Patient = z.object({
  ...EntityMeta,
  orgId: z.string(),
  displayName: z.string(),
  medicalRecordNumber: z.string().describe('Unique within the org'),
  dateOfBirth: IsoDate.optional(),
  facility: z.string().optional(),
  room: z.string().optional(),
  primaryClinic: z.string().optional(),
  phoneNumber: z.string().optional(),
  timezone: z.string().optional(),
  contact: Contact.optional(),
  isActive: z.boolean().describe('False once the patient has left care; the record stays'),
  /** The `patient` login linked to this record, if any. */
  userId: z.string().optional().describe('The `patient` login linked to this record, if any'),
});
export type Patient = z.infer<typeof Patient>;

export const PatientParams = z.strictObject({ patientId: Id });

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
  addedBy: z.string().describe('The user who added the member'),
  version: z.number().int(),
});
export type CareTeamMember = z.infer<typeof CareTeamMember>;

export const Health = z.object({ status: z.literal('ok') });
