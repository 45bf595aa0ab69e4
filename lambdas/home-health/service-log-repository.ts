import type { ServiceLog, VisitStatus } from '../../schemas/home-health.js';
import type { Db, Item, Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { InvalidTransitionError } from '../shared/errors.js';
import { ServiceLogKeys } from './keys.js';
import { pick, Transactions } from './transactions.js';
import { visitChildren, visitGuard, type StoredVisit } from './visit-repository.js';

/** A visit's service logs in the patient's partition, oldest first (docs/data-model.md, "Home health"). */
export class ServiceLogRepository {
  private readonly tx: Transactions;

  constructor(private readonly db: Db) {
    this.tx = new Transactions(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.tx.replay(ctx, idem);
  }

  /** The log, while the visit is still the writer's and in one of `statuses` (else 409 invalid_transition). */
  add(ctx: WriteContext, visit: StoredVisit, statuses: readonly VisitStatus[], log: ServiceLog, idem: IdempotencyRequest | undefined): Promise<ServiceLog> {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = log;
    const parts = {
      visit: visitGuard(this.db, ctx.orgId, visit, statuses),
      log: this.db.put(newItem(ServiceLogKeys.key(ctx.orgId, log.patientId, log.visitId, log.id), 'ServiceLog', fields, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    return this.tx.commit(ctx, parts, log, { visit: () => new InvalidTransitionError('The visit changed meanwhile') }, idem);
  }

  async listLogs(orgId: string, patientId: string, visitId: string, page: PageRequest): Promise<Page<ServiceLog>> {
    return visitChildren(this.db, orgId, patientId, ServiceLogKeys.prefix(visitId), page, toLog);
  }
}

const toLog = (item: Item): ServiceLog =>
  ({ ...pick(item, ['id', 'version', 'createdAt', 'updatedAt', 'patientId', 'visitId', 'description', 'serviceMinutes', 'authorId']), tasksCompleted: item.tasksCompleted ?? [] }) as ServiceLog;
