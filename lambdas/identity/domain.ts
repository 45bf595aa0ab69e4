import { defineDomain } from '../shared/domain/domain-module.js';
import { createIdentityHandler } from './app.js';
import { IDENTITY_EVENT_RULES } from './events.js';
import { IDENTITY_ROUTES } from './routes.js';
import { IDENTITY_FHIR } from './fhir.js';

/** Identity and people: /me, users (Cognito), patients, care teams, org settings. */
export const IDENTITY_DOMAIN = defineDomain({
  id: 'identity',
  description: 'Identity and people: users, patients, care teams',
  entry: 'lambdas/identity/handler.ts',
  app: 'lambdas/identity/app.ts',
  routes: IDENTITY_ROUTES,
  create: createIdentityHandler,
  events: IDENTITY_EVENT_RULES,
  fhir: IDENTITY_FHIR,
});
