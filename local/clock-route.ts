/**
 * API.md "Local only": `GET /_local/clock` -> `{ now }`; `POST /_local/clock { "advanceTo": ISO }`
 * moves the virtual clock forward, fires every schedule due up to then in time order, sweeps the
 * items whose TTL has passed (local/ttl-sweeper.ts), and answers
 * `{ now, fired }` once they have all run. `GET /_local/schedules` lists the schedules. Not in the route table, so never in the CDK app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../lambdas/shared/clock.js';
import type { LocalScheduler } from './scheduler.js';
import { errorBody, errorHeaders, type ErrorBody } from '../lambdas/shared/http/error-body.js';

const PATH = '/_local/clock';
/** The schedules that exist now (what EventBridge Scheduler's ListSchedules would show). */
const SCHEDULES_PATH = '/_local/schedules';

export function clockRoute(deps: { clock: Clock; scheduler: LocalScheduler; sweepTtl?: () => Promise<unknown> }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === SCHEDULES_PATH && req.method === 'GET') {
      send(res, 200, { items: deps.scheduler.list() });
      return true;
    }
    if (url.pathname !== PATH) return false;
    if (req.method === 'GET') {
      send(res, 200, { now: deps.clock.now().toISOString() });
      return true;
    }
    if (req.method !== 'POST') {
      fail(res, 405, errorBody('method_not_allowed', 'GET or POST'));
      return true;
    }
    const body = await readJson(req);
    const advanceTo = body && typeof body === 'object' ? (body as Record<string, unknown>).advanceTo : undefined;
    const unknown = body && typeof body === 'object' ? Object.keys(body).filter((k) => k !== 'advanceTo') : [];
    const to = typeof advanceTo === 'string' && /T.*(Z|[+-]\d\d:\d\d)$/.test(advanceTo) ? new Date(advanceTo) : undefined;
    if (!to || Number.isNaN(to.getTime()) || unknown.length) {
      fail(
        res,
        400,
        errorBody('validation_failed', 'Body must be { "advanceTo": ISO 8601 date-time with offset }', [
          ...(!to || Number.isNaN(to.getTime()) ? [{ path: 'body.advanceTo', message: 'must be an ISO 8601 date-time with offset' }] : []),
          ...unknown.map((k) => ({ path: `body.${k}`, message: 'unknown field' })),
        ]),
      );
      return true;
    }
    if (to < deps.clock.now()) {
      fail(res, 409, errorBody('conflict', `The clock is at ${deps.clock.now().toISOString()}; it only moves forward`));
      return true;
    }
    const fired = await deps.scheduler.advanceTo(to);
    // Items whose TTL passed in the skipped time go, as DynamoDB TTL would have removed them.
    await deps.sweepTtl?.();
    send(res, 200, { now: deps.clock.now().toISOString(), fired });
    return true;
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, body: ErrorBody): void {
  res.writeHead(status, { 'content-type': 'application/json', ...errorHeaders(body.error.code) });
  res.end(JSON.stringify(body));
}
