import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROLES, STAFF_ROLES, type Role } from '../../../schemas/roles.js';
import { UnauthenticatedError } from '../errors.js';

/** The signed-in user making a request, as the Cognito authorizer vouches for them. */
export interface Caller {
  userId: string;
  orgId: string;
  roles: Role[];
  email: string;
  displayName: string;
  /** For `patient` logins: the patient record they are. */
  patientId?: string;
}

type Claims = Record<string, unknown>;

/**
 * API Gateway's REST Cognito authorizer hands every claim over as a string, and `cognito:groups`
 * as a comma-separated string (sometimes bracketed, `[a b]`, depending on the path it took).
 * This is the one place that normalises them.
 */
export function parseGroups(raw: unknown): Role[] {
  const parts = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.replace(/^\[|\]$/g, '').split(/[,\s]+/)
      : [];
  return parts.map((p) => p.trim()).filter((p): p is Role => (ROLES as readonly string[]).includes(p));
}

export function callerFromClaims(claims: Claims | undefined | null): Caller {
  const sub = claims?.sub;
  const orgId = claims?.['custom:orgId'];
  if (typeof sub !== 'string' || !sub || typeof orgId !== 'string' || !orgId) {
    throw new UnauthenticatedError('Sign in with a CareStack account');
  }
  const patientId = claims?.['custom:patientId'];
  const email = typeof claims?.email === 'string' ? claims.email : '';
  return {
    userId: sub,
    orgId,
    roles: parseGroups(claims?.['cognito:groups']),
    email,
    displayName: typeof claims?.name === 'string' && claims.name ? claims.name : email,
    ...(typeof patientId === 'string' && patientId ? { patientId } : {}),
  };
}

export function callerFromEvent(event: APIGatewayProxyEvent): Caller {
  return callerFromClaims(event.requestContext.authorizer?.claims as Claims | undefined);
}

export const isStaff = (caller: Pick<Caller, 'roles'>): boolean =>
  caller.roles.some((r) => STAFF_ROLES.includes(r));

export const hasAnyRole = (caller: Pick<Caller, 'roles'>, roles: readonly Role[]): boolean =>
  caller.roles.some((r) => roles.includes(r));
