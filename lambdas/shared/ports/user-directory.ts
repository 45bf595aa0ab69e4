import type { Role } from '../../../schemas/roles.js';

/**
 * The user directory port, below every domain: identity creates logins through it, and the local
 * stack hands its own pool to it (local/functions.ts).
 */
export interface NewLogin {
  email: string;
  displayName: string;
  orgId: string;
  role: Role;
  patientId?: string;
}

/** Where logins live: the Cognito user pool (on AWS, and the local pool that speaks its API). */
export interface UserDirectory {
  createLogin(login: NewLogin): Promise<{ userId: string; password?: string }>;
  deleteLogin(email: string): Promise<void>;
}
