import type { Dose, MissedDoseAlert } from '../../schemas/medications.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import { scheduleNames, type FiredPayload, type Scheduler } from '../shared/scheduling/scheduler.js';
import { canonicalTime, DoseKeys } from './keys.js';
import type { MedicationRepository } from './repository.js';
import { isAsNeeded, type DoseSlotPayload, type MissedCheckPayload } from './schedules.js';


/**
 * What fires of the medication schedules do. "When" is always the payload's scheduled time, never
 * the wall clock: a replayed fire finds the dose (or the alert) it made the first time and makes
 * nothing new.
 */
export class DoseWork {
  constructor(
    private readonly repo: MedicationRepository,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** A slot fired: the dose appears `due`, and its missed-dose check is set at due + grace. */
  async onDoseSlot(payload: FiredPayload<DoseSlotPayload>): Promise<void> {
    const { orgId, patientId, medicationId, time } = payload;
    const stored = await this.repo.getMedication(orgId, patientId, medicationId, true);
    if (!stored) {
      // Only a create that failed half-way leaves such a schedule (and it tried to delete it).
      this.logger.warn('slot of an unknown medication', { scheduleName: payload.scheduleName });
      return;
    }
    const { medication } = stored;
    if (medication.status !== 'active' || isAsNeeded(medication.schedule) || !medication.schedule.times.includes(time)) {
      // A schedule the medication no longer wants (a sync that failed half-way): remove it.
      this.logger.warn('slot no longer wanted; deleting its schedule', { scheduleName: payload.scheduleName, status: medication.status });
      await this.scheduler.delete(payload.scheduleName);
      return;
    }
    const now = this.clock.now();
    const ctx = schedulerContext(orgId, payload, now);
    const scheduledFor = canonicalTime(payload.scheduledTime);
    const dose: Dose = {
      id: DoseKeys.id(scheduledFor, medicationId),
      patientId,
      medicationId,
      scheduledFor,
      status: 'due',
      late: false,
      asNeeded: false,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    const created = await this.repo.putDoseIfAbsent(ctx, dose);
    if (!created) {
      const existing = await this.repo.getDose(orgId, patientId, scheduledFor, medicationId, true);
      if (existing?.status !== 'due') return; // replayed after it was settled: nothing to do
    }
    // (Re)set the check: a replay after a crash between the dose and its check repairs it.
    const check: MissedCheckPayload = { kind: 'dose-missed-check', orgId, patientId, medicationId, doseId: dose.id, scheduledFor };
    const checkAt = new Date(Date.parse(scheduledFor) + medication.graceMinutes * 60_000);
    const name = scheduleNames.missedCheck(dose.id);
    if (checkAt <= now) await this.onMissedCheck({ ...check, scheduleName: name, scheduledTime: checkAt.toISOString() });
    else await this.scheduler.putOneTime({ name, at: checkAt.toISOString(), payload: check });
  }

  /** Grace is over: a dose still `due` becomes `missed` and an alert is stored (once). */
  async onMissedCheck(payload: FiredPayload<MissedCheckPayload>): Promise<void> {
    const { orgId, patientId, medicationId, scheduledFor } = payload;
    const dose = await this.repo.getDose(orgId, patientId, scheduledFor, medicationId, true);
    if (!dose || dose.status !== 'due') return;
    const ctx = schedulerContext(orgId, payload, this.clock.now());
    const alert: MissedDoseAlert = { id: dose.id, patientId, doseId: dose.id, medicationId, scheduledFor: dose.scheduledFor, alertedAt: ctx.now };
    const marked = await this.repo.markMissed(ctx, dose, alert);
    if (marked) this.logger.info('dose missed', { doseId: dose.id });
  }
}
