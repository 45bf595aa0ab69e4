import type { CareTeamMember, Patient, User } from '../../../schemas/identity.js';
import type { MembershipReader, PatientReader } from '../auth/policy.js';
import type { Db, Item } from '../data/db.js';
import { CareTeamMemberEntity, PatientEntity, UserEntity } from '../data/entities.js';

/**
 * The reads of people every domain needs: a user, a patient, and the care-team links the access
 * policy asks about. They live here, below the domains, because the policy and every domain ask
 * them; identity owns the writes (and lists) of users and patients, and reads through this too.
 * Access patterns (docs/data-model.md): user `ORG#o#USER#u / PROFILE`, patient `ORG#o#PAT#p /
 * PROFILE`, link `ORG#o#PAT#p / MEMBER#u`, care team Query `ORG#o#PAT#p`, `MEMBER#`.
 */
export class People implements MembershipReader, PatientReader {
  constructor(protected readonly db: Db) {}

  async getUser(orgId: string, userId: string): Promise<User | undefined> {
    const item = await this.db.get(UserEntity.key(orgId, userId));
    return item ? UserEntity.fromItem(item) : undefined;
  }

  async getPatient(orgId: string, patientId: string, consistent = false): Promise<Patient | undefined> {
    const item = await this.db.get(PatientEntity.key(orgId, patientId), consistent);
    return item ? PatientEntity.fromItem(item) : undefined;
  }

  async patientExists(orgId: string, patientId: string): Promise<boolean> {
    return !!(await this.db.get(PatientEntity.key(orgId, patientId)));
  }

  async isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean> {
    // Strongly consistent: a removal from the care team ends access at once (API.md), not after
    // the eventual-consistency window of a default GetItem.
    const item = await this.db.get(CareTeamMemberEntity.key(orgId, patientId, userId), true);
    return !!item && item.deleting !== true;
  }

  async listCareTeam(orgId: string, patientId: string): Promise<CareTeamMember[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PatientEntity.partition(orgId, patientId), ':prefix': CareTeamMemberEntity.prefix },
    });
    return items.filter((i) => i.deleting !== true).map(CareTeamMemberEntity.fromItem);
  }
}
