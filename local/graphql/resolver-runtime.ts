/**
 * Runs an APPSYNC_JS resolver file (schemas/resolvers/*.js) locally, as AppSync's JS runtime does:
 * the file's own `request` and `response`, in a context of its own, with a stand-in for the parts
 * of `@aws-appsync/utils` the resolvers use. So the local GraphQL endpoint builds the event a
 * function gets with the very code the deployed API runs, not with a copy of it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Script } from 'node:vm';

/** What `util.error` / `util.unauthorized` raise: the field's error as AppSync reports it. */
export class ResolverError extends Error {
  constructor(
    message: string,
    readonly errorType: string | null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

export interface ResolverModule {
  request(ctx: Record<string, unknown>): unknown;
  response(ctx: Record<string, unknown>): unknown;
}

const util = {
  error: (message: string, errorType?: string, _data?: unknown, errorInfo?: unknown): never => {
    throw new ResolverError(String(message), errorType ?? null, errorInfo ?? null);
  },
  unauthorized: (): never => {
    throw new ResolverError('Unauthorized', 'Unauthorized');
  },
  autoId: (): string => randomUUID(),
};

const IMPORT_UTILS = /^import\s*\{[^}]*\}\s*from\s*'@aws-appsync\/utils';?[ \t]*$/m;

/** Loads `request` and `response` of a resolver file that imports nothing but `@aws-appsync/utils`. */
export function loadResolver(file: string): ResolverModule {
  const source = readFileSync(file, 'utf8').replace(IMPORT_UTILS, '').replace(/^export function /gm, 'function ');
  if (/^\s*(import|export)\b/m.test(source)) throw new Error(`${path.basename(file)}: only \`import { util } from '@aws-appsync/utils'\` and exported functions are supported locally`);
  const script = new Script(`${source}\n;({ request, response });`, { filename: file });
  return script.runInNewContext({ util }) as ResolverModule;
}
