import type { RespiteSession } from '../../schemas/respite.js';
import { update } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError } from '../shared/errors.js';
import { RespiteBudgetEntity } from './entities.js';

/**
 * The year's budget as the session and offer transactions move it (docs/data-model.md, "Respite").
 * The budget keeps `remainingHours` beside `hoursPerYear`, `reservedHours` and `usedHours`, and
 * every write changes them by balanced ADDs (reserve: reserved +h, remaining -h; complete: reserved
 * -h, used +h; ...), so `remaining = hoursPerYear - reserved - used` always holds and a condition
 * can test it (DynamoDB conditions cannot do arithmetic).
 */

/** Thrown when the budget does not cover a session's hours (at request or at confirmation). */
export class BudgetExceededError extends ConflictError {
  constructor(message = 'The respite budget does not cover these hours') {
    super(message, [{ path: 'budget', message: 'not enough hours remain in this year' }]);
  }
}

/** Balanced ADDs on the session's budget year; `covering`: only while the remainder covers the session. */
export function budgetMove(ctx: WriteContext, session: Pick<RespiteSession, 'patientId' | 'budgetYear' | 'hours'>, deltas: Record<string, number>, covering = false) {
  const b = update().exists().stamp(ctx).add(deltas);
  if (covering) b.compare('remainingHours', '>=', session.hours);
  return { Key: RespiteBudgetEntity.key(ctx.orgId, session.patientId, session.budgetYear), ...b.build() };
}
