/**
 * A small local outbox (API.md "Local only"): what email would have carried, one JSON file per
 * message under `.carestack/outbox/`, listed by `GET /_local/outbox?to=`. Stand-in until the
 * delivery branch's outbox merges; everything goes through `localOutbox(dataDir)` so swapping it
 * is one import.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ulid } from 'ulid';

export interface OutboxMessage {
  id: string;
  channel: 'email' | 'sms' | 'push';
  to: string;
  subject?: string;
  text: string;
  createdAt: string;
}

export interface LocalOutbox {
  add(message: Omit<OutboxMessage, 'id' | 'createdAt'>): OutboxMessage;
  /** Oldest first; only messages to `to` (case-insensitive) when given. */
  list(to?: string): OutboxMessage[];
  route(req: IncomingMessage, res: ServerResponse): boolean;
}

export function localOutbox(dataDir: string): LocalOutbox {
  const dir = path.join(dataDir, 'outbox');
  const list = (to?: string): OutboxMessage[] => {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const all = files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as OutboxMessage);
    return to ? all.filter((m) => m.to.toLowerCase() === to.toLowerCase()) : all;
  };
  return {
    add(message) {
      const full: OutboxMessage = { id: ulid(), createdAt: new Date().toISOString(), ...message };
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${full.id}.json`), JSON.stringify(full, null, 2) + '\n', { mode: 0o600 });
      return full;
    },
    list,
    route(req, res) {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname !== '/_local/outbox') return false;
      const status = req.method === 'GET' ? 200 : 405;
      const body = status === 200 ? { items: list(url.searchParams.get('to') ?? undefined) } : { error: { code: 'method_not_allowed', message: 'GET' } };
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      return true;
    },
  };
}
