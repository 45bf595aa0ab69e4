/**
 * Self sign-up and its codes: SignUp (through the pre-sign-up trigger), ConfirmSignUp (through the
 * post-confirmation trigger) and ResendConfirmationCode.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { CognitoError, invalidParameter, notAuthorized, userNotFound } from './errors.js';
import type { PoolContext } from './pool-context.js';
import type { StoredUser } from './state.js';
import { str, type AttributeType, type Json, type Operations } from './wire.js';

/** A confirmation code lives 24 hours; five wrong tries or resends and the pool says LimitExceeded. */
const CODE_TTL_MS = 24 * 3600 * 1000;
const MAX_CODE_ATTEMPTS = 5;
const MAX_RESENDS = 5;

const codeHash = (code: string): string => createHash('sha256').update(`confirm:${code}`).digest('hex');
const maskEmail = (email: string): string => {
  const [name = '', domain = ''] = email.split('@');
  return `${name.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};

export function signUpOperations(ctx: PoolContext): Operations {
  async function sendCode(user: StoredUser): Promise<Json> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const previous = user.confirmation;
    user.confirmation = { codeHash: codeHash(code), expiresAt: Date.now() + (ctx.options.confirmationCodeTtlMs ?? CODE_TTL_MS), attempts: 0, resends: previous ? previous.resends + 1 : 0 };
    const to = user.attributes.email ?? user.username;
    await (ctx.options.deliverCode ?? (async (m) => console.log(`[cognito] ${m.to}: ${m.text}`)))({
      to,
      subject: 'Your verification code',
      text: `Your confirmation code is ${code}`,
    });
    return { Destination: maskEmail(to), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  }

  return {
    async SignUp(input: Json): Promise<Json> {
      const { pool, clientId } = ctx.client(str(input, 'ClientId'));
      const username = str(input, 'Username');
      const password = str(input, 'Password');
      const attributes: Record<string, string> = {};
      const writable = pool.clients[clientId]!.writeAttributes;
      for (const a of (input.UserAttributes as AttributeType[] | undefined) ?? []) {
        if (a.Name === 'sub' || a.Name === 'email_verified' || (writable && !writable.includes(a.Name))) {
          throw notAuthorized('A client attempted to write unauthorized attribute');
        }
        attributes[a.Name] = String(a.Value);
      }
      if (pool.users[username.toLowerCase()]) throw new CognitoError('UsernameExistsException', 'User already exists');
      if (!attributes.email && username.includes('@')) attributes.email = username;
      ctx.checkPassword(pool, password, 'SignUp');
      const now = Date.now();
      const user: StoredUser = {
        username,
        sub: randomUUID(),
        attributes,
        status: 'UNCONFIRMED',
        enabled: true,
        password: { salt: '', hash: '' },
        groups: [],
        createdAt: now,
        updatedAt: now,
      };
      await ctx.setPassword(pool, user, password);
      let autoConfirm = false;
      const preSignUp = ctx.triggers.preSignUp;
      if (preSignUp) {
        const event = {
          ...ctx.triggerBase(pool, user, clientId),
          triggerSource: 'PreSignUp_SignUp',
          request: {
            userAttributes: { ...attributes },
            validationData: Object.fromEntries(((input.ValidationData as AttributeType[] | undefined) ?? []).map((a) => [a.Name, a.Value])),
            clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {},
          },
          response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        } as PreSignUpTriggerEvent;
        // A refusal creates nothing: the user is stored only after the trigger admitted it.
        const out = await ctx.runTrigger('PreSignUp', () => preSignUp(event));
        autoConfirm = out.response?.autoConfirmUser === true;
        if (out.response?.autoVerifyEmail) attributes.email_verified = 'true';
      }
      if (pool.users[username.toLowerCase()]) throw new CognitoError('UsernameExistsException', 'User already exists');
      pool.users[username.toLowerCase()] = user;
      if (autoConfirm) {
        user.status = 'CONFIRMED';
        await ctx.save();
        return { UserConfirmed: true, UserSub: user.sub };
      }
      const CodeDeliveryDetails = await sendCode(user);
      await ctx.save();
      return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails };
    },

    async ConfirmSignUp(input: Json): Promise<Json> {
      const { pool, clientId } = ctx.client(str(input, 'ClientId'));
      const code = str(input, 'ConfirmationCode');
      const user = pool.users[str(input, 'Username').toLowerCase()];
      // Prevent user existence errors: an unknown user gets the wrong-code answer (LEGACY clients: not found).
      if (!user && pool.clients[clientId]!.preventUserExistenceErrors === 'LEGACY') throw userNotFound();
      if (!user) throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
      if (user.status !== 'UNCONFIRMED' || !user.confirmation) {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      const pending = user.confirmation;
      if (pending.attempts >= MAX_CODE_ATTEMPTS) throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      if (pending.codeHash !== codeHash(code)) {
        pending.attempts += 1;
        await ctx.save();
        throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
      }
      if (pending.expiresAt < Date.now()) throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      const postConfirmation = ctx.triggers.postConfirmation;
      if (postConfirmation) {
        const event = {
          ...ctx.triggerBase(pool, user, clientId),
          triggerSource: 'PostConfirmation_ConfirmSignUp',
          request: {
            userAttributes: { sub: user.sub, ...user.attributes, email_verified: 'true', 'cognito:user_status': 'CONFIRMED' },
            clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {},
          },
          response: {},
        } as PostConfirmationTriggerEvent;
        // Locally a failed trigger leaves the user unconfirmed, so the same code can be tried again.
        await ctx.runTrigger('PostConfirmation', () => postConfirmation(event));
      }
      user.status = 'CONFIRMED';
      user.attributes.email_verified = 'true';
      delete user.confirmation;
      user.updatedAt = Date.now();
      await ctx.save();
      return {};
    },

    async ResendConfirmationCode(input: Json): Promise<Json> {
      const { pool } = ctx.client(str(input, 'ClientId'));
      const user = pool.users[str(input, 'Username').toLowerCase()];
      if (!user) throw userNotFound();
      if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
      if ((user.confirmation?.resends ?? 0) >= MAX_RESENDS) throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      const CodeDeliveryDetails = await sendCode(user);
      await ctx.save();
      return { CodeDeliveryDetails };
    },
  };
}
