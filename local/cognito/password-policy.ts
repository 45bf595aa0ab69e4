/**
 * A pool's password policy, checked as Cognito checks it wherever a password is set (SignUp,
 * AdminCreateUser's temporary password, AdminSetUserPassword, the NEW_PASSWORD_REQUIRED answer).
 * The CareStack pool gets its policy from lib/user-pool-definition.ts, the CDK pool's source too.
 */
import { CognitoError } from './errors.js';
import type { StoredPool } from './state.js';
import type { Json } from './wire.js';

/** Cognito's default policy, for a pool created without one. */
const COGNITO_DEFAULT_POLICY = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

/**
 * What Cognito counts as a symbol (its developer guide's list): ^ $ * . [ ] { } ( ) ? " ! @ # % &
 * / \ , > < ' : ; | _ ~ ` = + - and the space. A letter outside A-Z (é) is not a symbol.
 */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/**
 * The operations word the refusal differently on AWS, and clients match the text: SignUp says
 * "Password did not conform with policy: ...", the others "Password does not conform to policy: ...".
 */
export type PasswordSetBy = 'SignUp' | 'AdminCreateUser' | 'AdminSetUserPassword' | 'RespondToAuthChallenge';

export type EffectivePasswordPolicy = typeof COGNITO_DEFAULT_POLICY & Json;

/** The pool's policy as CreateUserPool/UpdateUserPool gave it, over Cognito's defaults. */
export function passwordPolicyOf(pool: StoredPool): EffectivePasswordPolicy {
  const given = (pool.config.Policies as Json | undefined)?.PasswordPolicy as Json | undefined;
  return { ...COGNITO_DEFAULT_POLICY, ...given };
}

/**
 * Throws InvalidPasswordException for the first rule the password breaks, in Cognito's order:
 * length, lowercase, uppercase, numbers, symbols.
 */
export function checkPasswordPolicy(pool: StoredPool, password: string, setBy: PasswordSetBy): void {
  const policy = passwordPolicyOf(pool);
  const prefix = setBy === 'SignUp' ? 'Password did not conform with policy' : 'Password does not conform to policy';
  const fail = (why: string) => new CognitoError('InvalidPasswordException', `${prefix}: ${why}`);
  if ([...password].length < Number(policy.MinimumLength)) throw fail('Password not long enough');
  if (policy.RequireLowercase === true && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (policy.RequireUppercase === true && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (policy.RequireNumbers === true && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.RequireSymbols === true && ![...password].some((c) => SYMBOLS.has(c))) throw fail('Password must have symbol characters');
}

/** When a temporary password set now stops working (TemporaryPasswordValidityDays). */
export function temporaryPasswordExpiry(pool: StoredPool, now: number): number {
  return now + Number(passwordPolicyOf(pool).TemporaryPasswordValidityDays) * 24 * 3600 * 1000;
}
