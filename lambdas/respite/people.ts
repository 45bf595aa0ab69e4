import type { Patient, User } from '../../schemas/identity.js';

/** The people the respite domain needs to know of: is an id an aide of the org. */
export interface PeopleReader {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  getPatient(orgId: string, patientId: string): Promise<Patient | undefined>;
}
