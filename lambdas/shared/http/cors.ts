/**
 * The REST API's CORS, in one place for the three parts that answer browsers: API Gateway's
 * preflight (lib/stateless/care-rest-api.ts), the functions' response headers (middleware.ts) and
 * the local gateway. No imports, so the CDK app and local code can read it without the runtime.
 */

/** Request headers a browser may send: the token, JSON bodies and the idempotency key of writes. */
export const CORS_ALLOW_HEADERS: readonly string[] = ['Authorization', 'Content-Type', 'Idempotency-Key'];

/** Methods API Gateway's preflight names (the local gateway names only the resource's own). */
export const CORS_ALLOW_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Response headers a browser may read: the request id, so a client can quote it in a report; the
 * error's code (`x-amzn-ErrorType`, where Amplify's REST client reads an error's name); and
 * `Retry-After` of a 429, so a client can wait as long as asked.
 */
export const CORS_EXPOSE_HEADERS: readonly string[] = ['x-request-id', 'x-amzn-ErrorType', 'Retry-After'];
