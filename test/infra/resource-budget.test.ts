import { existsSync, readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, type ApiFunctionId } from '../../lambdas/functions.js';
import { ROUTES, type HttpMethod, type RouteDef } from '../../lambdas/routes.js';
import { readConfig } from '../../lib/config.js';
import { fromRoot } from '../../lib/paths.js';
import { StatefulStack } from '../../lib/stateful/stateful-stack.js';
import { ApiStack } from '../../lib/stateless/api-stack.js';
import { StatelessStack } from '../../lib/stateless/stateless-stack.js';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, cdkContext, nestedStacksOf } from './support/build-app.js';

/**
 * CloudFormation takes at most 500 resources per stack (CDK refuses to synthesise more). Every
 * stack's budget is checked here; the API stack grows with every route, so what a route costs is
 * measured from synthesised templates and the projection for the whole contract stays visible.
 */
const STACK_LIMIT = 500;
const BUDGET = Math.floor(STACK_LIMIT * 0.6);
/** The contract's route count when ../shared/API.md is not beside the checkout. */
const CONTRACT_ROUTES_FALLBACK = 95;
const CONTRACT = fromRoot('../shared/API.md');

const resourcesIn = (t: { toJSON(): Record<string, unknown> }) => Object.keys(t.toJSON().Resources as object).length;

/** The API stack's own resources and those of each of its nested route stacks (by first path segment). */
function apiStackSizes(api: ApiStack): { own: number; nested: Record<string, number>; total: number } {
  const own = resourcesIn(Template.fromStack(api));
  const nested = Object.fromEntries(nestedStacksOf(api).map(({ nested: n, template }) => [n.node.id, resourcesIn(template)]));
  return { own, nested, total: own + Object.values(nested).reduce((a, b) => a + b, 0) };
}

function apiResourceCount(routes?: readonly RouteDef[]): { own: number; nested: Record<string, number>; total: number } {
  const app = new App({ context: cdkContext({ stage: 'dev', 'aws:cdk:bundling-stacks': [] }) });
  const config = readConfig(app);
  const stateful = new StatefulStack(app, 'CareStackStateful', { config });
  const stateless = new StatelessStack(app, 'CareStackStateless', { config, stateful });
  const api = new ApiStack(app, 'CareStackApi', { config, stateful, functions: stateless.apiFunctions, ...(routes ? { routes } : {}) });
  return apiStackSizes(api);
}

/** `METHOD /path` rows of the contract's route tables. */
function contractRoutes(): Array<{ method: HttpMethod; path: string }> | undefined {
  if (!existsSync(CONTRACT)) return undefined;
  const seen = new Map<string, { method: HttpMethod; path: string }>();
  for (const m of readFileSync(CONTRACT, 'utf8').matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/gm)) {
    seen.set(`${m[1]} ${m[2]}`, { method: m[1] as HttpMethod, path: m[2]! });
  }
  return [...seen.values()];
}

describe('resource budget of every stack', () => {
  const built = buildApp('dev');
  const api = apiStackSizes(built.api);
  const stacks: Record<string, number> = {
    stateful: resourcesIn(built.statefulTemplate),
    stateless: resourcesIn(built.statelessTemplate),
    // The GraphQL fields' data sources and resolvers, one nested stack per function.
    ...Object.fromEntries(nestedStacksOf(built.stateless).map(({ nested, template }) => [`stateless/${nested.node.id}`, resourcesIn(template)])),
    api: api.own,
    ...Object.fromEntries(Object.entries(api.nested).map(([id, n]) => [`api/${id}`, n])),
  };
  // What the routes cost: the API's resources in its own stack and its nested route stacks.
  const total = api.total;

  it.each(Object.entries(stacks))(`keeps the %s stack within 60 %% of CloudFormation's ${STACK_LIMIT}-resource limit`, (name, n) => {
    console.log(`${name} stack: ${n} resources for ${ROUTES.length} routes (budget ${BUDGET}, limit ${STACK_LIMIT})`);
    expect(
      n,
      `the ${name} stack has ${n} resources for ${ROUTES.length} routes: over the budget of ${BUDGET} (60 % of CloudFormation's ${STACK_LIMIT}-resource limit per stack); split the stack or cut per-route resources`,
    ).toBeLessThanOrEqual(BUDGET);
  });

  it('measures the cost of a route and projects the whole contract', () => {
    // One route per API function keeps every function, its role, log group and invoke permission,
    // so the difference to the full table is what the other routes alone add.
    const apiFunctions = (Object.keys(FUNCTIONS) as Array<keyof typeof FUNCTIONS>).filter((id) => FUNCTIONS[id].kind === 'api') as ApiFunctionId[];
    const subset = apiFunctions.map((fn) => ROUTES.find((r) => r.fn === fn)!);
    const small = apiResourceCount(subset).total;
    const perRoute = (total - small) / (ROUTES.length - subset.length);
    const fixed = total - perRoute * ROUTES.length;
    const contract = contractRoutes();
    const contractCount = contract?.length ?? CONTRACT_ROUTES_FALLBACK;
    const projected = Math.round(fixed + perRoute * contractCount);
    console.log(
      [
        `resources per route: ${perRoute.toFixed(2)} (${total} with ${ROUTES.length} routes, ${small} with ${subset.length}: method, plus resource and CORS preflight for a new path segment)`,
        `fixed resources: ${fixed.toFixed(0)}`,
        `API resources projected for the contract's ${contractCount} routes${contract ? ' (../shared/API.md)' : ' (API.md not found: assumed)'}: ${projected}, spread over the API stack and its nested route stacks (each within ${BUDGET})`,
      ].join('\n'),
    );
    expect(perRoute).toBeGreaterThan(0);

    if (contract) {
      // The linear figure averages today's paths; the contract's own paths give the exact count.
      // Each route goes to the function of today's route with the longest shared path prefix.
      const fnFor = (path: string): string => {
        const score = (r: RouteDef) => {
          const a = r.path.split('/'), b = path.split('/');
          let i = 0;
          while (i < a.length && i < b.length && a[i] === b[i]) i++;
          return i;
        };
        return [...ROUTES].sort((x, y) => score(y) - score(x))[0]!.fn;
      };
      const routes = contract.map((r, i): RouteDef => ({ ...r, fn: fnFor(r.path), auth: r.path !== '/health', roles: 'any', summary: r.path, operation: `contractRoute${i}` }));
      const exact = apiResourceCount(routes);
      const largest = Math.max(exact.own, ...Object.values(exact.nested));
      console.log(
        `synthesised with the contract's ${routes.length} routes: ${exact.total} API resources, ${exact.own} in the API stack, ` +
          `the largest nested route stack ${largest} (${Object.entries(exact.nested).map(([id, n]) => `${id} ${n}`).join(', ')}); budget ${BUDGET} per stack`,
      );
      expect(largest, `the whole contract would put ${largest} resources in one stack`).toBeLessThanOrEqual(BUDGET);
    }
  });
});
