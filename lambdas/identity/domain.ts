import { defineDomain } from '../shared/domain/domain-module.js';
import { createIdentityHandler } from './app.js';
import { IDENTITY_ROUTES } from './routes.js';
import { IDENTITY_FACET } from './facet.js';

/** Identity and people: /me, users (Cognito), patients, care teams, org settings. */
export const IDENTITY_DOMAIN = defineDomain(IDENTITY_FACET, {
  description: 'Identity and people: users, patients, care teams',
  entry: 'lambdas/identity/handler.ts',
  app: 'lambdas/identity/app.ts',
  routes: IDENTITY_ROUTES,
  create: createIdentityHandler,
});
