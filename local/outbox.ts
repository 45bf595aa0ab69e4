/**
 * The local stand-in for SNS (push, SMS) and SES (email): an outbox under `.carestack/`, one JSON
 * line per message, listed by `GET /_local/outbox?to=` (API.md, "Local only"), oldest first.
 *
 * Any local feature that would send a message writes here through `localOutbox(deps).add(...)`:
 * the delivery function today; sign-up confirmation codes and invitation emails later.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { monotonicFactory } from 'ulid';
import type { Clock } from '../lambdas/shared/clock.js';
import { errorBody, errorHeaders } from '../lambdas/shared/http/error-body.js';

export type OutboxChannel = 'email' | 'sms' | 'push';

export interface OutboxMessage {
  channel: OutboxChannel;
  /** Email address, E.164 number, or device token. */
  to: string;
  subject?: string;
  text: string;
  notificationId?: string;
}

export interface OutboxItem extends OutboxMessage {
  id: string;
  createdAt: string;
}

export class Outbox {
  private readonly ulid = monotonicFactory();
  // Appends one after the other: lines never interleave and the file order is the send order.
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { file: string; clock: Clock }) {}

  async add(message: OutboxMessage): Promise<OutboxItem> {
    const now = this.options.clock.now();
    const item: OutboxItem = { id: this.ulid(now.getTime()), ...message, createdAt: now.toISOString() };
    const write = this.writing.then(async () => {
      await mkdir(path.dirname(this.options.file), { recursive: true });
      await appendFile(this.options.file, `${JSON.stringify(item)}\n`);
    });
    this.writing = write.catch(() => undefined);
    await write;
    return item;
  }

  /** Every message, oldest first; only those to `to` when given. */
  async list(filter: { to?: string } = {}): Promise<OutboxItem[]> {
    await this.writing;
    let text = '';
    try {
      text = await readFile(this.options.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const items = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as OutboxItem);
    return filter.to === undefined ? items : items.filter((i) => i.to === filter.to);
  }
}

const outboxes = new Map<string, Outbox>();

/** The outbox of a local stack's state folder (one per folder, shared by every writer). */
export function localOutbox(deps: { dataDir: string; clock: Clock }): Outbox {
  const file = path.join(deps.dataDir, 'outbox.ndjson');
  let outbox = outboxes.get(file);
  if (!outbox) {
    outbox = new Outbox({ file, clock: deps.clock });
    outboxes.set(file, outbox);
  }
  return outbox;
}

const PATH = '/_local/outbox';

/** `GET /_local/outbox?to=` -> `{ items }`. Local only: not in the route table, never in the CDK app. */
export function outboxRoute(deps: { dataDir: string; clock: Clock }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== PATH) return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', ...errorHeaders('method_not_allowed') });
      res.end(JSON.stringify(errorBody('method_not_allowed', 'GET only')));
      return true;
    }
    const to = url.searchParams.get('to') ?? undefined;
    const items = await localOutbox(deps).list(to === undefined ? {} : { to });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items }));
    return true;
  };
}
