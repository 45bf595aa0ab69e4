import { routeHandlers, type ConciergeContext } from '../context.js';
import { ProviderRepository } from './repository.js';
import { ProviderService } from './service.js';

/** The provider routes (profiles, directory, free slots): one line each to a use case. */
export function providerHandlers(ctx: ConciergeContext) {
  const service = new ProviderService(new ProviderRepository(ctx.db), ctx.people);
  return routeHandlers({
    'POST /providers': ({ write, body, idempotency }) => service.createProvider(write, body, idempotency),
    'GET /providers': ({ caller, query }) => service.listProviders(caller, query),
    'GET /providers/{providerId}': ({ caller, params }) => service.getProvider(caller, params.providerId),
    'PATCH /providers/{providerId}': ({ caller, write, params, body }) => service.updateProvider(caller, write, params.providerId, body),
    'GET /providers/{providerId}/slots': ({ caller, write, params, query }) => service.slots(caller, write, params.providerId, query),
  });
}
