import type { components } from './generated/openapi.js';

/** Every error code of the contract (docs/api/README.md, "Conventions"). */
export type CareStackErrorCode = components['schemas']['ErrorCode'];

export interface CareStackErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * The one error the client throws for an answer that is not a success: the HTTP status, the
 * contract's code and message, the field details of a 400, and the request id to quote.
 * A network failure stays the platform's own error (a `TypeError` from fetch).
 */
export class CareStackError extends Error {
  override readonly name = 'CareStackError';
  readonly status: number;
  readonly code: CareStackErrorCode;
  readonly details: readonly CareStackErrorDetail[];
  readonly requestId: string | undefined;

  constructor(init: { status: number; code: CareStackErrorCode; message: string; details?: readonly CareStackErrorDetail[]; requestId?: string | undefined }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
  }

  /** Reads an error answer: the contract's body, else the `x-amzn-ErrorType` header, else the status. */
  static async fromResponse(response: Response): Promise<CareStackError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    let body: unknown;
    try {
      body = await response.clone().json();
    } catch {
      body = undefined;
    }
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const code = (typeof error?.code === 'string' ? error.code : (response.headers.get('x-amzn-errortype') ?? codeOfStatus(response.status))) as CareStackErrorCode;
    const message = typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`.trim();
    const details = Array.isArray(error?.details) ? (error.details as CareStackErrorDetail[]) : [];
    return new CareStackError({ status: response.status, code, message, details, requestId });
  }
}

function codeOfStatus(status: number): CareStackErrorCode {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 422:
      return 'idempotency_key_reused';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}
