import type { Db } from './db.js';
import { LoginLinkEntity } from './entities.js';

/** Where an invited login belongs (see `LoginKeys`). */
export interface LoginLink {
  orgId: string;
  role: string;
  patientId?: string;
}

/** The login link of a user, or undefined for logins created by an admin (their attributes say it). */
export async function readLoginLink(db: Db, sub: string): Promise<LoginLink | undefined> {
  const item = await db.get(LoginLinkEntity.key(sub), true);
  if (!item || typeof item.orgId !== 'string') return undefined;
  return {
    orgId: item.orgId,
    role: String(item.role),
    ...(typeof item.patientId === 'string' ? { patientId: item.patientId } : {}),
  };
}
