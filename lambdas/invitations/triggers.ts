/**
 * The user pool's sign-up triggers (API.md, "Invitations and sign-up"), each a CareFunction on
 * AWS and called in-process by the local pool with the same events:
 * - pre-sign-up admits a `SignUp` only for a pending, unexpired invitation of that exact email
 *   (`ClientMetadata.invitationCode`), and refuses org or patient attributes from the client;
 * - post-confirmation accepts the invitation exactly once (conditional transaction; a retried
 *   trigger finds it accepted by the same user) and puts the login in the invited group;
 * - pre-token-generation (V2) puts the org and patient in both tokens, from the login's immutable
 *   attributes (admin-created logins) or from the link written at acceptance (invited logins,
 *   whose immutable attributes can never be set after sign-up).
 */
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { readLoginLink } from '../shared/data/login-link.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import { hashCode, hashEmail } from './code.js';
import { InvitationRepository, type StoredInvitation } from './repository.js';

/** The one answer to every refused sign-up: which check failed is not told (codes are guessable only by email). */
export const SIGN_UP_REFUSED = 'Sign-up needs a valid invitation for this email address.';

/** Attributes only the invitation decides. The app client may not write them either (writeAttributes). */
const SERVER_OWNED_ATTRIBUTES = ['custom:orgId', 'custom:patientId'];

export interface TriggerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/** Puts a user in a group (Cognito's AdminAddUserToGroup: idempotent). */
export interface GroupMembership {
  addToGroup(userPoolId: string, username: string, group: string): Promise<void>;
}

const triggerContext = (invitation: StoredInvitation, actorId: string, clientId: string | undefined, now: Date): WriteContext => ({
  orgId: invitation.orgId,
  actorId,
  actorRoles: [invitation.role],
  requestId: `cognito:${clientId ?? 'admin'}:${now.getTime()}`,
  source: 'api',
  now: now.toISOString(),
});

export function createPreSignUpHandler(deps: TriggerDeps) {
  const repo = new InvitationRepository(deps.db);
  return async (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> => {
    // Admins create staff logins (POST /users) with AdminCreateUser: not a self sign-up.
    if (event.triggerSource === 'PreSignUp_AdminCreateUser') return event;
    const refuse = (why: string): never => {
      deps.logger.warn('sign-up refused', { why, triggerSource: event.triggerSource });
      throw new Error(SIGN_UP_REFUSED);
    };
    if (event.triggerSource !== 'PreSignUp_SignUp') refuse('not a SignUp');
    const attributes = event.request.userAttributes ?? {};
    if (SERVER_OWNED_ATTRIBUTES.some((a) => a in attributes)) refuse('server-owned attribute');
    const code = event.request.clientMetadata?.invitationCode;
    const email = attributes.email?.trim().toLowerCase();
    if (!code || !email) refuse('no code or no email');
    const invitation = await repo.byCodeHash(hashCode(code!));
    const now = deps.clock.now();
    if (!invitation) return refuse('unknown code');
    if (invitation.status !== 'pending') refuse(`invitation ${invitation.status}`);
    if (invitation.expiresAt <= now.toISOString()) refuse('invitation expired');
    if (invitation.email !== email) refuse('another email');
    await repo.admitSignUp(triggerContext(invitation, event.userName, event.callerContext?.clientId, now), hashEmail(email!), invitation);
    deps.logger.info('sign-up admitted', { invitationId: invitation.invitationId, orgId: invitation.orgId });
    // The email is confirmed with ConfirmSignUp's code, which proves the invitee reads that mailbox.
    return event;
  };
}

export function createPostConfirmationHandler(deps: TriggerDeps & { groups: GroupMembership }) {
  const repo = new InvitationRepository(deps.db);
  return async (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> => {
    // A confirmed password reset is not a sign-up.
    if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
    const attributes = event.request.userAttributes;
    const email = attributes.email?.trim().toLowerCase();
    const sub = attributes.sub;
    if (!email || !sub) throw new Error('The confirmed user has no email or sub');
    const invitation = await repo.admittedSignUp(hashEmail(email));
    if (!invitation || invitation.email !== email) throw new Error('No invitation admitted this sign-up');
    const now = deps.clock.now();
    const accepted = await repo.accept(triggerContext(invitation, sub, event.callerContext?.clientId, now), invitation, {
      userId: sub,
      displayName: attributes.name?.trim() || email,
    });
    // After the transaction, so a retry (accepted already) still makes sure of the group.
    await deps.groups.addToGroup(event.userPoolId, event.userName, invitation.role);
    deps.logger.info(accepted ? 'invitation accepted' : 'invitation already accepted (retry)', {
      invitationId: invitation.invitationId,
      orgId: invitation.orgId,
      userId: sub,
    });
    return event;
  };
}

/** The user's email and name, for the access token (Cognito puts them in the ID token only). */
function profileClaims(attributes: Record<string, string>): Record<string, string> {
  return {
    ...(attributes.email ? { email: attributes.email } : {}),
    ...(attributes.name ? { name: attributes.name } : {}),
  };
}

export function createTokenClaimsHandler(deps: Pick<TriggerDeps, 'db' | 'logger'>) {
  return async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const attributes = event.request.userAttributes;
    let claims: Record<string, string> = {};
    if (attributes['custom:orgId']) {
      claims = {
        'custom:orgId': attributes['custom:orgId'],
        ...(attributes['custom:patientId'] ? { 'custom:patientId': attributes['custom:patientId'] } : {}),
      };
    } else if (attributes.sub) {
      const link = await readLoginLink(deps.db, attributes.sub);
      if (link) claims = { 'custom:orgId': link.orgId, ...(link.patientId ? { 'custom:patientId': link.patientId } : {}) };
    }
    if (!claims['custom:orgId']) deps.logger.warn('token for a login without an org', { sub: attributes.sub });
    event.response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: claims },
        // The access token (what Amplify sends to AppSync) carries the same org and patient, and
        // the email and name the ID token has by itself: the caller (lambdas/shared/auth/caller.ts)
        // reads them from the claims, so `getMe` answers the same with either token.
        accessTokenGeneration: { claimsToAddOrOverride: { ...claims, ...profileClaims(attributes) } },
      },
    };
    return event;
  };
}
