import { ForbiddenError, NotFoundError } from '../errors.js';
import { hasAnyRole, isStaff, type Caller } from './caller.js';

/** The one question the policy needs answered from storage. */
export interface MembershipReader {
  /** The caller's care-team link to the patient, if any (one GetItem). */
  isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean>;
}

/**
 * The authorisation module: role x relationship x org. Every handler asks it; nobody decides
 * patient access inline.
 *
 * - compliance: no clinical data, ever;
 * - admin, coordinator (staff): every patient of their own org (keys are org-scoped, so a patient
 *   of another org simply does not exist for them);
 * - patient: their own record only (`custom:patientId`);
 * - aide, clinician, family: patients whose care team they are on.
 *
 * A caller who may not see a patient gets the same 404 as for a patient that does not exist.
 */
/** Whether a patient record exists in an org (one GetItem). */
export interface PatientReader {
  patientExists(orgId: string, patientId: string): Promise<boolean>;
}

export class AccessPolicy {
  constructor(
    private readonly memberships: MembershipReader,
    private readonly patients?: PatientReader,
  ) {}

  async canSeePatient(caller: Caller, patientId: string): Promise<boolean> {
    if (!hasAnyRole(caller, ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient'])) return false;
    if (isStaff(caller)) return true;
    if (caller.patientId === patientId && caller.roles.includes('patient')) return true;
    if (!hasAnyRole(caller, ['aide', 'clinician', 'family'])) return false;
    return this.memberships.isCareTeamMember(caller.orgId, patientId, caller.userId);
  }

  /** Throws `NotFoundError` unless the caller may see the patient. */
  async assertCanSeePatient(caller: Caller, patientId: string): Promise<void> {
    if (!(await this.canSeePatient(caller, patientId))) throw new NotFoundError('Patient not found');
  }

  /**
   * May the caller subscribe to the patient's realtime events? As `canSeePatient`, and for staff
   * the patient must exist in their org: no request follows that would answer 404, so the
   * subscription is refused at `start` instead (the AppSync resolver reads the same item).
   */
  async canSubscribeToPatient(caller: Caller, patientId: string): Promise<boolean> {
    if (!(await this.canSeePatient(caller, patientId))) return false;
    if (!isStaff(caller)) return true;
    if (!this.patients) throw new Error('AccessPolicy needs a PatientReader to admit staff subscriptions');
    return this.patients.patientExists(caller.orgId, patientId);
  }

  /**
   * As `assertCanSeePatient`, and the patient must exist: staff pass the access check on their
   * claims alone, so a read that would otherwise answer an empty list or zero counts for a patient
   * of another org (or none) answers 404 instead.
   */
  async assertCanSeeExistingPatient(caller: Caller, patientId: string): Promise<void> {
    if (!(await this.canSubscribeToPatient(caller, patientId))) throw new NotFoundError('Patient not found');
  }

  /**
   * Reads something of a patient while the access check runs, so a read costs one DynamoDB round
   * trip instead of two, and hands the result over only when the check passes; otherwise the
   * same 404 as `assertCanSeePatient` (`existing`: as `assertCanSeeExistingPatient`). For reads
   * only: a write must never start before access is known.
   */
  async readAsViewer<T>(caller: Caller, patientId: string, read: () => Promise<T>, check: 'see' | 'existing' = 'see'): Promise<T> {
    const [allowed, result] = await Promise.all([
      check === 'see' ? this.canSeePatient(caller, patientId) : this.canSubscribeToPatient(caller, patientId),
      read(),
    ]);
    if (!allowed) throw new NotFoundError('Patient not found');
    return result;
  }

  /**
   * May the caller report an incident about the patient? Staff, or an aide or clinician who may see
   * the patient (API.md, "Assisted living"). Other roles: 403; a patient they may not see: 404.
   */
  async assertCanReportIncident(caller: Caller, patientId: string): Promise<void> {
    if (!hasAnyRole(caller, ['admin', 'coordinator', 'aide', 'clinician'])) throw new ForbiddenError('Your role may not report incidents');
    await this.assertCanSeePatient(caller, patientId);
  }

  /**
   * May the caller change an incident they can see? Staff, or the person who reported it; anyone
   * else who sees it gets 403 (it exists for them, so 404 would be wrong).
   */
  assertCanUpdateIncident(caller: Caller, incident: { reportedBy: string }): void {
    if (!isStaff(caller) && incident.reportedBy !== caller.userId) throw new ForbiddenError('Only staff or the reporter may change this incident');
  }

  /** Staff of the patient's org manage the record and its care team. */
  canManagePatients(caller: Caller): boolean {
    return isStaff(caller);
  }
}
