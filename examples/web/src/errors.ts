import { CareStackError } from '@carestack/client';

/**
 * One line for whatever went wrong: the contract's code and message from REST (`CareStackError`),
 * GraphQL's `errorType` and message (Amplify rejects with the whole result), or Amplify's own error
 * (`NotAuthorizedException: Incorrect username or password.`).
 */
export function describeError(error: unknown): string {
  if (error instanceof CareStackError) {
    const details = (error.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ');
    return `${error.code}: ${error.message}${details ? ` (${details})` : ''}`;
  }
  const errors = (error as { errors?: Array<{ errorType?: string; message: string }> } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => `${e.errorType ?? 'error'}: ${e.message}`).join('; ');
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
