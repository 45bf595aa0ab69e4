import { ulid } from 'ulid';
import type {
  Adherence,
  ConfirmDoseBody,
  CreateMedicationBody,
  Dose,
  LogAsNeededDoseBody,
  Medication,
  MissedDoseAlert,
  UpdateMedicationBody,
} from '../../schemas/medications.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { scheduleNames, type Scheduler } from '../shared/scheduling/scheduler.js';
import { deleteAll, putAll } from '../shared/scheduling/schedule-writes.js';
import { localDate } from '../shared/scheduling/zoned-time.js';
import { DoseKeys } from './keys.js';
import type { MedicationRepository } from './repository.js';
import { desiredSchedules, isAsNeeded, scheduleNamesOf } from './schedules.js';


/** The patient's time zone, for the as-needed "local day" when the medication names none. */
export interface PatientZones {
  patientTimezone(orgId: string, patientId: string): Promise<string | undefined>;
}

const DAY_MS = 24 * 3_600_000;
/** Adherence reads every dose of its window: a year at most keeps that one bounded Query. */
const MAX_ADHERENCE_WINDOW_MS = 366 * DAY_MS;

/**
 * Medication adherence use cases (API.md, "Medication adherence"). No HTTP, no SDK.
 *
 * Table and schedules are kept consistent this way (docs/scheduling.md):
 * - create: the schedules first (their names come from the new id), then the table; if either
 *   fails, what was made is removed and the request fails as a whole, so a retry starts clean;
 * - change: the table first (the version condition picks one winner), then the schedules are
 *   brought to what the committed medication says; if that fails the medication is marked
 *   `scheduleSyncFailed` and the request answers 500; the next PATCH re-syncs. A slot that fires for
 *   a medication that no longer wants it creates nothing and deletes its own schedule.
 */
export class MedicationService {
  constructor(
    private readonly repo: MedicationRepository,
    private readonly policy: AccessPolicy,
    private readonly zones: PatientZones,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  async createMedication(caller: Caller, ctx: WriteContext, patientId: string, body: CreateMedicationBody, idem?: IdempotencyRequest): Promise<Medication> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Medication;
    const medication: Medication = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      name: body.name,
      dosage: body.dosage,
      ...(body.instructions ? { instructions: body.instructions } : {}),
      schedule: body.schedule,
      graceMinutes: body.graceMinutes,
      status: 'active',
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    const schedules = desiredSchedules(ctx.orgId, medication, new Date(ctx.now));
    const undo = () => deleteAll(this.scheduler, schedules.map((s) => s.name));
    await putAll(this.scheduler, schedules, this.logger);
    let stored: Medication;
    try {
      stored = await this.repo.createMedication(ctx, medication, idem);
    } catch (err) {
      await undo();
      throw err;
    }
    // A parallel request with the same Idempotency-Key won: its medication has its own schedules.
    if (stored.id !== medication.id) await undo();
    return stored;
  }

  async listMedications(caller: Caller, patientId: string, page: PageRequest): Promise<Page<Medication>> {
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listMedications(caller.orgId, patientId, page), 'existing');
  }

  async updateMedication(caller: Caller, ctx: WriteContext, patientId: string, medicationId: string, body: UpdateMedicationBody): Promise<Medication> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const stored = await this.repo.getMedication(ctx.orgId, patientId, medicationId, true);
    if (!stored) throw new NotFoundError('Medication not found');
    const current = stored.medication;
    const { version, ...changes } = body;
    if (current.status === 'stopped' && changes.status && changes.status !== 'stopped') {
      throw new InvalidTransitionError('A stopped medication is final; create a new one');
    }
    const fields: Record<string, unknown> = { ...changes, scheduleSyncFailed: null };
    if (changes.status && changes.status !== current.status) fields.auditAction = { active: 'resume', paused: 'pause', stopped: 'stop' }[changes.status];
    else fields.auditAction = null;
    const updated = await this.repo.updateMedication(ctx, current, fields, version);

    // Reminders follow at once: remove the names the medication no longer wants, put the rest.
    try {
      const desired = desiredSchedules(ctx.orgId, updated, new Date(ctx.now));
      const keep = new Set(desired.map((s) => s.name));
      await deleteAll(this.scheduler, scheduleNamesOf(current).filter((n) => !keep.has(n)), { logger: this.logger });
      for (const s of desired) await this.scheduler.putRecurring(s);
    } catch (err) {
      this.logger.error('schedule sync failed; the medication is marked for repair', { error: err as Error, medicationId });
      await this.repo.updateMedication(ctx, updated, { scheduleSyncFailed: true, auditAction: 'schedule_sync_failed' }).catch(() => undefined);
      throw err;
    }
    return updated;
  }

  async listDoses(caller: Caller, patientId: string, query: PageRequest & { from?: string | undefined; to?: string | undefined }, now: string): Promise<Page<Dose>> {
    const { from, to } = window(query, now);
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listDoses(caller.orgId, patientId, from, to, query), 'existing');
  }

  async confirmDose(caller: Caller, ctx: WriteContext, patientId: string, doseId: string, body: ConfirmDoseBody): Promise<Dose> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const ref = DoseKeys.parseId(doseId);
    if (!ref) throw new NotFoundError('Dose not found');
    if (body.takenAt && Date.parse(body.takenAt) > Date.parse(ctx.now) + 60_000) {
      throw new ValidationError('takenAt is in the future', [{ path: 'body.takenAt', message: 'must not be in the future' }]);
    }
    // Twice at most: the missed-dose check may turn `due` into `missed` between read and write.
    for (let attempt = 0; attempt < 2; attempt++) {
      const dose = await this.repo.getDose(ctx.orgId, patientId, ref.scheduledFor, ref.medicationId, true);
      if (!dose) throw new NotFoundError('Dose not found');
      if (dose.status !== 'due' && dose.status !== 'missed') throw new InvalidTransitionError(`This dose is already ${dose.status}`);
      const late = dose.status === 'missed';
      const fields = {
        status: body.status,
        late,
        confirmedAt: ctx.now,
        confirmedBy: caller.userId,
        reason: body.reason ?? null,
        takenAt: body.status === 'taken' ? new Date(body.takenAt ?? ctx.now).toISOString() : null,
      };
      if (await this.repo.confirmDose(ctx, dose, fields, dose.status)) {
        // The missed-dose check has nothing left to do (it would find the dose settled anyway).
        if (dose.status === 'due') await deleteAll(this.scheduler, [scheduleNames.missedCheck(dose.id)], { logger: this.logger });
        const out: Dose = { ...dose, ...fields, version: dose.version + 1, updatedAt: ctx.now } as Dose;
        for (const k of ['reason', 'takenAt'] as const) if (out[k] === null) delete out[k];
        return out;
      }
    }
    throw new ConflictError('The dose changed while it was being confirmed; try again');
  }

  async logAsNeeded(caller: Caller, ctx: WriteContext, patientId: string, body: LogAsNeededDoseBody, idem?: IdempotencyRequest): Promise<Dose> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Dose;
    const stored = await this.repo.getMedication(ctx.orgId, patientId, body.medicationId, true);
    if (!stored) throw new NotFoundError('Medication not found');
    const { medication } = stored;
    if (!isAsNeeded(medication.schedule)) throw new ConflictError('This medication is taken on a schedule, not as needed; confirm its doses instead');
    if (medication.status !== 'active') throw new ConflictError(`This medication is ${medication.status}`);
    if (Date.parse(body.takenAt) > Date.parse(ctx.now) + 60_000) {
      throw new ValidationError('takenAt is in the future', [{ path: 'body.takenAt', message: 'must not be in the future' }]);
    }
    const takenAt = new Date(body.takenAt).toISOString();
    const zone = medication.schedule.timezone ?? (await this.zones.patientTimezone(ctx.orgId, patientId)) ?? 'UTC';
    const day = localDate(new Date(takenAt), zone);
    const dose: Dose = {
      id: DoseKeys.id(takenAt, medication.id),
      patientId,
      medicationId: medication.id,
      scheduledFor: takenAt,
      status: 'taken',
      late: false,
      asNeeded: true,
      takenAt,
      confirmedAt: ctx.now,
      confirmedBy: caller.userId,
      reason: body.reason,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    // The counter outlives its day by a week (a late log of yesterday's dose still counts).
    const expiresAt = Math.floor(Date.parse(takenAt) / 1000) + 8 * 24 * 3600;
    return this.repo.logAsNeeded(ctx, dose, day, medication.schedule.maxDosesPerDay, expiresAt, idem);
  }

  async listAlerts(caller: Caller, patientId: string, page: PageRequest): Promise<Page<MissedDoseAlert>> {
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listAlerts(caller.orgId, patientId, page), 'existing');
  }

  /**
   * Over the scheduled doses due in [from, to): late doses count as taken and also in `late`;
   * doses still `due` and as-needed doses are not in the rate.
   */
  async adherence(caller: Caller, patientId: string, query: { from?: string | undefined; to?: string | undefined }, now: string): Promise<Adherence> {
    await this.policy.assertCanSeeExistingPatient(caller, patientId);
    const { from, to } = window(query, now);
    if (Date.parse(to) - Date.parse(from) > MAX_ADHERENCE_WINDOW_MS) {
      throw new ValidationError('The window is longer than 366 days', [{ path: 'query.from', message: 'at most 366 days before to' }]);
    }
    const [doses, medications] = await Promise.all([
      this.repo.dosesIn(caller.orgId, patientId, from, to),
      this.repo.allMedications(caller.orgId, patientId),
    ]);
    const names = new Map(medications.map((m) => [m.id, m.name]));
    const total = emptyCounts();
    const byMedication = new Map<string, ReturnType<typeof emptyCounts>>();
    for (const dose of doses) {
      if (dose.asNeeded) continue;
      const per = byMedication.get(dose.medicationId) ?? emptyCounts();
      byMedication.set(dose.medicationId, per);
      for (const c of [total, per]) count(c, dose);
    }
    return {
      from,
      to,
      ...withRate(total),
      byMedication: [...byMedication.entries()].map(([medicationId, c]) => ({
        medicationId,
        ...(names.has(medicationId) ? { name: names.get(medicationId)! } : {}),
        ...withRate(c),
      })),
    };
  }
}

function window(query: { from?: string | undefined; to?: string | undefined }, now: string): { from: string; to: string } {
  const to = new Date(query.to ?? Date.parse(query.from ?? now) + (query.from ? 8 : 1) * DAY_MS).toISOString();
  const from = new Date(query.from ?? Date.parse(to) - 8 * DAY_MS).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw new ValidationError('from must be before to', [{ path: 'query.to', message: 'must be after from' }]);
  return { from, to };
}

const emptyCounts = () => ({ taken: 0, late: 0, skipped: 0, refused: 0, missed: 0 });

function count(c: ReturnType<typeof emptyCounts>, dose: Dose): void {
  switch (dose.status) {
    case 'taken':
      c.taken++;
      if (dose.late) c.late++;
      break;
    case 'skipped':
    case 'refused':
    case 'missed':
      c[dose.status]++;
      break;
    case 'due':
      break;
  }
}

function withRate(c: ReturnType<typeof emptyCounts>) {
  const settled = c.taken + c.skipped + c.refused + c.missed;
  return { ...c, rate: settled === 0 ? null : Math.round((c.taken / settled) * 10_000) / 10_000 };
}
