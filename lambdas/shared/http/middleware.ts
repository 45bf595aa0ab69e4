import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AppError, PayloadTooLargeError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CORS_EXPOSE_HEADERS } from './cors.js';
import { errorBody, errorHeaders } from './error-body.js';
import { MAX_BODY_BYTES } from './limits.js';

export { MAX_BODY_BYTES } from './limits.js';

/** The API Gateway event once `jsonBody` has parsed its body. */
export type ApiEvent = APIGatewayProxyEvent & { parsedBody?: unknown };

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error>;
type Middleware = middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error>;

export const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower && v != null) return v;
  return undefined;
};

/**
 * Every log line of a request carries its request id, org and user (from the authorizer's claims,
 * unverified here: API Gateway already verified the token). One line per request at the end with
 * the status and duration; no bodies, no PHI.
 */
export function requestLogging(logger: Logger): Middleware {
  const started = new WeakMap<Request, number>();
  const finish = (request: Request) => {
    logger.info('request completed', {
      statusCode: request.response?.statusCode,
      durationMs: Date.now() - (started.get(request) ?? Date.now()),
    });
    logger.resetKeys();
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
      const claims = (request.event.requestContext?.authorizer?.claims ?? {}) as Record<string, string>;
      logger.resetKeys();
      logger.appendKeys({
        requestId: request.event.requestContext?.requestId,
        orgId: claims['custom:orgId'],
        userId: claims.sub,
        route: `${request.event.httpMethod} ${request.event.resource}`,
      });
    },
    after: finish,
    onError: finish,
  };
}

/**
 * Contract error shape for every failure (error-body.ts: `error` plus a top-level `message` and the
 * `x-amzn-ErrorType` header). Known errors keep their status and code; anything else is a 500
 * `internal` with a generic message, and the detail goes to the log only.
 */
export function errorResponses(logger: Logger): Middleware {
  return {
    onError: (request) => {
      const err = request.error;
      if (err instanceof AppError) {
        if (err.status >= 500) logger.error('request failed', { error: err });
        request.response = { ...json(err.status, errorBody(err.code, err.message, err.details)), headers: errorHeaders(err.code) };
        return;
      }
      logger.error('unhandled error', { error: err ?? undefined });
      request.response = { ...json(500, errorBody('internal', 'Something went wrong; try again later')), headers: errorHeaders('internal') };
    },
  };
}

/**
 * Headers on every response: JSON, no caching of care data, the request id, and CORS for the web
 * origins allowed (API Gateway answers preflights; the Lambda must add the headers to responses).
 */
export function responseHeaders(corsAllowOrigins: readonly string[]): Middleware {
  const add = (request: Request) => {
    const res = request.response;
    if (!res) return;
    const origin = header(request.event, 'origin');
    const allowed = origin && (corsAllowOrigins.includes('*') || corsAllowOrigins.includes(origin));
    res.headers = {
      ...(res.body ? { 'content-type': 'application/json' } : {}),
      'cache-control': 'no-store',
      'x-request-id': request.event.requestContext?.requestId ?? '',
      ...(allowed ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(','), vary: 'Origin' } : {}),
      ...res.headers,
    };
  };
  return { after: add, onError: add };
}

/** Parses the JSON body once: too large is 413, malformed is 400. The handler gets `parsedBody`. */
export function jsonBody(): Middleware {
  return {
    before: (request) => {
      const { event } = request;
      if (event.body == null || event.body === '') {
        (event as ApiEvent).parsedBody = undefined;
        return;
      }
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError('Request bodies are limited to 256 KB');
      }
      const contentType = header(event, 'content-type') ?? 'application/json';
      if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
        throw new ValidationError('Send JSON with Content-Type: application/json', [{ path: 'body', message: 'must be JSON' }]);
      }
      try {
        (event as ApiEvent).parsedBody = JSON.parse(raw);
      } catch {
        throw new ValidationError('The request body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
      }
    },
  };
}

export function json(statusCode: number, body?: unknown): APIGatewayProxyResult {
  return { statusCode, headers: {}, body: body === undefined ? '' : JSON.stringify(body) };
}
