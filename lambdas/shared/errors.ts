/**
 * Errors with a place in the API contract. Services throw these; one middleware maps them to the
 * contract's `{ error: { code, message, details? } }` shape. Anything else becomes 500 `internal`.
 */
import type { ErrorCode } from '../../schemas/common.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  readonly details?: ErrorDetail[];

  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation_failed';
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthenticated';
}

/** The role may never do this. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** Also for anything of another org or of a patient the caller may not see. */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: ErrorCode = 'conflict';
}

export class VersionConflictError extends ConflictError {
  override readonly code = 'version_conflict';
  constructor(message = 'The record has changed since it was read; fetch it again') {
    super(message);
  }
}

export class InvalidTransitionError extends ConflictError {
  override readonly code = 'invalid_transition';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
  constructor(message = 'This Idempotency-Key was used with a different request body') {
    super(message);
  }
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
}
