/**
 * Hand-built API Gateway REST events and Lambda contexts for driving the domain handlers the way
 * API Gateway (with its Cognito authorizer) does: every claim a string, groups comma-separated.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Role } from '../../../../schemas/roles.js';
import type { Clock } from '../../../../lambdas/shared/clock.js';
import type { Json } from '../../../support/json.js';
import { createLogger, type Logger } from '../../../../lambdas/shared/logger.js';

export interface TestCaller {
  userId: string;
  orgId: string;
  roles: Role[];
  email?: string;
  patientId?: string;
}

/** The claims API Gateway's REST Cognito authorizer hands over: strings only. */
export function claimsFor(caller: TestCaller): Record<string, string> {
  return {
    sub: caller.userId,
    'custom:orgId': caller.orgId,
    'cognito:groups': caller.roles.join(','),
    email: caller.email ?? `${caller.userId}@example.test`,
    name: `User ${caller.userId}`,
    ...(caller.patientId ? { 'custom:patientId': caller.patientId } : {}),
  };
}

export interface EventSpec {
  /** `"POST /patients"`: method and API Gateway resource path. */
  route: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  /** Omit for an unauthenticated request. */
  caller?: TestCaller;
  /** Raw claims, overriding `caller` (for malformed-claims tests). */
  claims?: Record<string, unknown>;
  requestId?: string;
}

let seq = 0;

export function apiEvent(spec: EventSpec): APIGatewayProxyEvent {
  const [httpMethod, resource] = spec.route.split(' ') as [string, string];
  const path = resource.replace(/\{(\w+)\}/g, (_, name: string) => spec.pathParameters?.[name] ?? `{${name}}`);
  const body = spec.body === undefined ? null : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const claims = spec.claims ?? (spec.caller ? claimsFor(spec.caller) : undefined);
  return {
    resource,
    path,
    httpMethod,
    headers: { 'content-type': 'application/json', ...spec.headers },
    multiValueHeaders: {},
    queryStringParameters: spec.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: spec.pathParameters ?? null,
    stageVariables: null,
    isBase64Encoded: false,
    body,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      protocol: 'HTTP/1.1',
      httpMethod,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: spec.requestId ?? `req-${++seq}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: resource,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      authorizer: claims ? { claims } : null,
    },
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'identity',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:identity',
    memoryLimitInMB: '512',
    awsRequestId: 'aws-req',
    logGroupName: '/aws/lambda/identity',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A real powertools logger that prints nothing (spy on it to see what was logged). */
export const silentLogger = (): Logger => createLogger('test', { level: 'SILENT' });

export const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

/** A clock the test moves by hand. */
export function manualClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
}

/** The parsed JSON body of a response (undefined for an empty one). */
export function bodyOf<T = Json>(res: APIGatewayProxyResult): T {
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}
