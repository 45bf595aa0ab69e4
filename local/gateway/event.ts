/**
 * The Lambda side of the local gateway: the `APIGatewayProxyEvent` API Gateway's REST proxy
 * integration hands a function (headers, query, body encoding, authorizer claims, request
 * context), and a Lambda `Context` to invoke it with.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { TokenClaims } from '../cognito/token-verifier.js';
import type { RouteMatch } from './match.js';
import { anonymousIdentity } from '../../lambdas/shared/http/request-identity.js';

const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * Claims as a REST API Cognito authorizer hands them to Lambda: every value a string, arrays
 * (`cognito:groups`) joined with ",", numbers and booleans stringified.
 */
export function claimsAsStrings(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String).join(',') : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  return out;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))/i;
/** Whether a body of this content type goes to Lambda as base64 (binary) rather than as text. */
export const isBinaryContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && contentType.trim() !== '' && !TEXT_TYPES.test(contentType.trim());

export interface RawRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Alternating names and values with their original case (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
}

export interface EventContext {
  requestId: string;
  requestTimeEpoch: number;
  stage: string;
  match: RouteMatch;
  claims?: TokenClaims;
}

/** Builds the event exactly as API Gateway's REST Lambda proxy integration does. */
export function buildProxyEvent(req: RawRequest, ctx: EventContext): APIGatewayProxyEvent {
  const url = new URL(req.url, 'http://local');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const headerValue = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const binary = isBinaryContentType(headerValue('content-type'));
  const body = req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8');
  const path = url.pathname;
  const when = new Date(ctx.requestTimeEpoch);

  return {
    resource: ctx.match.resource,
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: ctx.match.pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: body !== null && binary,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      authorizer: ctx.claims ? { claims: claimsAsStrings(ctx.claims) } : null,
      domainName: headerValue('host') ?? 'localhost',
      domainPrefix: (headerValue('host') ?? 'localhost').split('.')[0]!.split(':')[0]!,
      extendedRequestId: ctx.requestId,
      httpMethod: req.method,
      identity: anonymousIdentity(req.sourceIp, headerValue('user-agent') ?? null),
      path,
      protocol: 'HTTP/1.1',
      requestId: ctx.requestId,
      requestTime: apiGatewayTime(when),
      requestTimeEpoch: ctx.requestTimeEpoch,
      resourceId: 'local',
      resourcePath: ctx.match.resource,
      stage: ctx.stage,
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `21/Nov/2026:23:30:00 +0000`, API Gateway's requestTime format. */
const apiGatewayTime = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

export function lambdaContext(fn: string, timeoutMs = 29_000): Context {
  const functionName = `carestack-local-${fn}`;
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
