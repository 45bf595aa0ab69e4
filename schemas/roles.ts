import * as z from 'zod/mini';

/** Roles are Cognito user groups. The list is the contract's (API.md, "Conventions"). */
export const ROLES = ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient', 'compliance'] as const;
// Pure: a bundle that needs only the role names (the sign-in trigger) leaves zod out.
export const Role = /* @__PURE__ */ z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** "Staff" see every patient of their org. */
export const STAFF_ROLES: readonly Role[] = ['admin', 'coordinator'];
/** Everyone but compliance, which sees no clinical data. */
export const CLINICAL_ROLES: readonly Role[] = ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient'];
