import { defineDomain } from '../shared/domain/domain-module.js';
import { createInvitationsHandler } from './app.js';
import { INVITATION_ROUTES } from './routes.js';
import { INVITATIONS_FACET } from './facet.js';

/**
 * Invitations and sign-up (API.md, "Invitations and sign-up"): staff invite patients and family by
 * email; Cognito's own sign-up admits only a valid invitation, through three triggers.
 */
export const INVITATIONS_DOMAIN = defineDomain(INVITATIONS_FACET, {
  description: 'Invitations: invite patients and family, list and revoke',
  entry: 'lambdas/invitations/handler.ts',
  app: 'lambdas/invitations/app.ts',
  routes: INVITATION_ROUTES,
  create: createInvitationsHandler,
  functions: {
    /** Cognito pre-sign-up trigger: admits only a sign-up with a valid invitation for that email. */
    preSignUp: {
      entry: 'lambdas/invitations/pre-sign-up.ts',
      app: 'lambdas/invitations/triggers.ts',
      kind: 'cognito-trigger',
      description: 'Admits a sign-up only with a pending invitation for that email',
    },
    /** Cognito post-confirmation trigger: accepts the invitation once, puts the login in its group. */
    postConfirmation: {
      entry: 'lambdas/invitations/post-confirmation.ts',
      app: 'lambdas/invitations/triggers.ts',
      kind: 'cognito-trigger',
      description: 'Accepts the invitation: profile, patient link or care team, group',
    },
    /** Cognito pre-token-generation trigger (V2): the org and patient in ID and access tokens. */
    tokenClaims: {
      entry: 'lambdas/invitations/token-claims.ts',
      app: 'lambdas/invitations/triggers.ts',
      kind: 'cognito-trigger',
      description: 'Adds the org and patient claims to ID and access tokens',
    },
  },
});
