/**
 * The one error shape every part of the REST API answers with: the functions' middleware, API
 * Gateway's own gateway responses (lib/stateless/care-rest-api.ts) and the local gateway. The
 * contract's `{ error: { code, message, details? } }` stays; beside it a top-level `message`, and
 * the header `x-amzn-ErrorType: <code>`, because that is where AWS clients look: Amplify's REST
 * client names its error from `x-amzn-ErrorType` (or a top-level `code`) and takes its message from
 * a top-level `message`, so without them every error reaches an Amplify app as
 * `UnknownError: Unknown error`. Only a type import, so the CDK app can read it without the runtime.
 */
import type { ErrorCode } from '../../../schemas/common.js';

/** The header AWS SDKs and Amplify read an error's name from. */
export const ERROR_TYPE_HEADER = 'x-amzn-ErrorType';

export interface ErrorBody {
  readonly message: string;
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: ReadonlyArray<{ path: string; message: string }> };
}

export function errorBody(code: ErrorCode, message: string, details?: ReadonlyArray<{ path: string; message: string }>): ErrorBody {
  return { message, error: { code, message, ...(details ? { details } : {}) } };
}

/** Headers every error response carries (besides JSON's content type). */
export function errorHeaders(code: ErrorCode): Record<string, string> {
  return { [ERROR_TYPE_HEADER]: code };
}
