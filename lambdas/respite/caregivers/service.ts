import type { CaregiverProfile, PutCaregiverProfileBody, PutRespiteBudgetBody, RespiteBudget } from '../../../schemas/respite.js';
import { isStaff, type Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { NotFoundError } from '../../shared/errors.js';
import type { OrgSettingsReader } from '../../shared/people/org-settings.js';
import { currentYear } from '../rules.js';
import type { CaregiverRepository } from './repository.js';

/** Caregiver profiles and the yearly hour budgets of the people they care for (API.md, "Caregiver respite"). No HTTP, no SDK. */
export class CaregiverService {
  constructor(
    private readonly repo: CaregiverRepository,
    private readonly policy: AccessPolicy,
    private readonly settings: OrgSettingsReader,
  ) {}

  putCaregiverProfile(ctx: WriteContext, body: PutCaregiverProfileBody): Promise<CaregiverProfile> {
    return this.repo.putCaregiverProfile(ctx, body);
  }

  /** Staff of the org, or the caregiver themself; anyone else the same 404 as for no profile. */
  async getCaregiverProfile(caller: Caller, userId: string): Promise<CaregiverProfile> {
    if (!isStaff(caller) && caller.userId !== userId) throw new NotFoundError('Caregiver profile not found');
    const profile = await this.repo.getCaregiverProfile(caller.orgId, userId);
    if (!profile) throw new NotFoundError('Caregiver profile not found');
    return profile;
  }

  async putBudget(caller: Caller, ctx: WriteContext, patientId: string, body: PutRespiteBudgetBody): Promise<RespiteBudget> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const { timezone } = await this.settings.settings(caller.orgId);
    const stored = await this.repo.putBudget(ctx, patientId, body.year, body.hoursPerYear);
    return budgetView(patientId, body.year, timezone, stored);
  }

  async getBudget(caller: Caller, patientId: string, year: number | undefined, now: Date): Promise<RespiteBudget> {
    await this.policy.assertCanSeeExistingPatient(caller, patientId);
    const { timezone } = await this.settings.settings(caller.orgId);
    const y = year ?? currentYear(now, timezone);
    return budgetView(patientId, y, timezone, await this.repo.getBudget(caller.orgId, patientId, y));
  }
}

function budgetView(
  patientId: string,
  year: number,
  timezone: string,
  b: { hoursPerYear: number; reservedHours: number; usedHours: number; version: number } | undefined,
): RespiteBudget {
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const hoursPerYear = b?.hoursPerYear ?? 0;
  const reservedHours = r2(b?.reservedHours ?? 0);
  const usedHours = r2(b?.usedHours ?? 0);
  return { patientId, year, timezone, hoursPerYear, reservedHours, usedHours, remainingHours: r2(hoursPerYear - reservedHours - usedHours), version: b?.version ?? 0 };
}
