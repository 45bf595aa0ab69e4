import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAINS } from '../../lambdas/domains.js';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { DOMAIN_JOBS } from '../../lambdas/jobs.js';
import { PLATFORM_FUNCTIONS } from '../../lambdas/platform.js';
import { defaultProvider } from '../../lambdas/shared/aws/lambda-credentials.js';
import { CARE_FUNCTION_BUNDLING, CARE_FUNCTION_RUNTIME } from '../../lib/constructs/care-function.js';
import { fromRoot } from '../../lib/paths.js';

/**
 * The bundles swap the SDK's default credential chain for its environment link
 * (lambdas/shared/aws/lambda-credentials.ts). These tests keep that swap honest: it still
 * names the module the SDK clients import, it still gives Lambda's credentials, and the chain's
 * other links (STS, SSO, container, process) are really gone from a bundle.
 */
const [aliased, target] = CARE_FUNCTION_BUNDLING.esbuildArgs['--alias'].split('=') as [string, string];

describe('credential chain in the Lambda bundles', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('replaces the module the SDK clients import for their default credentials', () => {
    const require = createRequire(import.meta.url);
    const runtimeConfig = readFileSync(
      require.resolve('@aws-sdk/client-dynamodb').replace(/dist-cjs\/index\.js$/, 'dist-es/runtimeConfig.js'),
      'utf8',
    );
    expect(runtimeConfig).toContain(`from "${aliased}"`);
    expect(target).toBe(fromRoot('lambdas/shared/aws/lambda-credentials.ts'));
  });

  it("answers with the role credentials Lambda puts in the function's environment", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    process.env.AWS_SESSION_TOKEN = 'token-example';
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret-example',
      sessionToken: 'token-example',
    });
  });

  it('fails clearly when there are no credentials in the environment', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow(/environment/i);
  });

  it('leaves the STS, SSO, container and process links out of a bundle', async () => {
    const build = (alias: Record<string, string>) =>
      esbuild.build({
        entryPoints: [fromRoot('lambdas/events/handler.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: CARE_FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1'),
        mainFields: [...CARE_FUNCTION_BUNDLING.mainFields],
        minify: true,
        write: false,
        logLevel: 'silent',
        absWorkingDir: fromRoot('.'),
        alias,
      });
    const withChain = (await build({})).outputFiles[0]!.text;
    const withEnvOnly = (await build({ [aliased]: target })).outputFiles[0]!.text;
    for (const marker of ['AssumeRoleWithWebIdentity', 'sso-oidc', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'credential_process']) {
      // Booleans, not toContain: a failure must not print a whole bundle.
      expect(withChain.includes(marker), `${marker} in the default chain`).toBe(true);
      expect(withEnvOnly.includes(marker), `${marker} in the Lambda bundle`).toBe(false);
    }
    expect(withEnvOnly.length).toBeLessThan(withChain.length - 50_000);
  });
});

/**
 * Each API function dispatches on its own domain's routes (`createApiHandler(<DOMAIN>_ROUTES, ...)`),
 * never on the joined route table, so its bundle holds its own schemas and none of another domain's.
 * (`schemas/identity.ts` is the shared people module: patients and care teams are every domain's.)
 */
/** The modules whose code is in the entry's bundle (the project's esbuild options, unminified). */
async function bundledInputs(entry: string): Promise<string[]> {
  const result = await esbuild.build({
    entryPoints: [fromRoot(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: [...CARE_FUNCTION_BUNDLING.mainFields],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: fromRoot('.'),
  });
  return Object.keys(Object.values(result.metafile.outputs)[0]!.inputs);
}

// Each domain's schema module, by the convention docs/adding-a-domain.md names: the domain's
// folder under lambdas/ is its module's name under schemas/. Derived from the domains, so a new
// domain is checked without a line here; every domain must have its module.
const DOMAIN_SCHEMAS: Record<string, string> = Object.fromEntries(
  DOMAINS.map((d) => [d.id, `schemas/${path.basename(path.dirname(d.app))}.ts`]),
);

describe('what each API function bundles', () => {
  const apiFunctions = Object.entries(FUNCTIONS).filter(([, f]) => f.kind === 'api');

  it('derives a schema module for every domain, and each exists', () => {
    expect(Object.keys(DOMAIN_SCHEMAS)).toEqual(DOMAINS.map((d) => d.id));
    for (const file of Object.values(DOMAIN_SCHEMAS)) expect(existsSync(fromRoot(file)), file).toBe(true);
  });

  it.each(apiFunctions)('%s bundles its own routes and no other domain schemas', async (id, f) => {
    const inputs = await bundledInputs(f.entry);
    const own = path.dirname(f.app);
    expect(inputs).toContain(`${own}/routes.ts`);
    expect(inputs, 'the joined route table').not.toContain('lambdas/routes.ts');
    expect(inputs, 'the list of domains').not.toContain('lambdas/domains.ts');
    expect(inputs, 'the derived registries').not.toContain('lambdas/registry.ts');
    expect(inputs.filter((i) => /^lambdas\/[^/]+\/routes\.ts$/.test(i) && i !== `${own}/routes.ts`), 'other domains\' routes').toEqual([]);
    // Jobs build their domain's repositories: only scheduled work carries them (lambdas/jobs.ts).
    expect(inputs.filter((i) => i === 'lambdas/jobs.ts' || /^lambdas\/[^/]+\/jobs\.ts$/.test(i)), 'scheduled-work jobs').toEqual([]);
    const foreign = Object.entries(DOMAIN_SCHEMAS).filter(([fn]) => fn !== id).map(([, file]) => file);
    expect(inputs.filter((i) => foreign.includes(i)), 'other domains\' schemas').toEqual([]);
    expect(inputs).toContain(DOMAIN_SCHEMAS[id]);
    // Issue 25: Scheduler and Cognito calls are signed requests (lambdas/shared/aws/signed-request.ts),
    // never a second SDK client on the request path; the Db marshals with util-dynamodb itself, so
    // no document client either. Packages, not files: a failure names them.
    const packages = new Set(inputs.flatMap((i) => /node_modules\/(@aws-sdk\/[^/]+)\//.exec(i)?.[1] ?? []));
    expect(packages.has('@aws-sdk/client-dynamodb'), 'the DynamoDB client (so the check reads a real bundle)').toBe(true);
    expect(packages.has('@aws-sdk/util-dynamodb'), 'the marshalling the Db does itself').toBe(true);
    const refused = ['@aws-sdk/client-scheduler', '@aws-sdk/client-cognito-identity-provider', '@aws-sdk/lib-dynamodb'];
    expect(refused.filter((c) => packages.has(c)), 'SDK packages in the bundle').toEqual([]);
  });
});

/**
 * The platform's own functions act for every domain. Three read the registries of the domains'
 * facets (events, the notifications fan-out, delivery: lambdas/facets.ts, lambdas/platform-registry.ts)
 * and scheduled work reads the domains' jobs (lambdas/jobs.ts): so no platform function carries a
 * domain's routes, app, descriptor or request schemas, nor the joined lists that import them all,
 * and only scheduled work carries the jobs (and the repositories they build).
 */
describe('what each platform function bundles', () => {
  const domainFolders = DOMAINS.map((d) => path.dirname(d.app));
  const READS_FACETS = ['events', 'notificationsFanOut', 'delivery'];
  const RUNS_JOBS = 'scheduledWork';

  it('names real platform functions', () => {
    expect(Object.keys(PLATFORM_FUNCTIONS)).toEqual(expect.arrayContaining([...READS_FACETS, RUNS_JOBS]));
  });

  it.each(Object.entries(PLATFORM_FUNCTIONS))('%s bundles no domain\'s routes, app or schemas', async (id, f) => {
    const inputs = await bundledInputs(f.entry);
    // Booleans and short lists, not the whole input list: a failure names the offending modules.
    for (const list of ['lambdas/domains.ts', 'lambdas/registry.ts', 'lambdas/routes.ts']) expect(inputs.includes(list), list).toBe(false);
    const api = inputs.filter((i) => domainFolders.some((folder) => [`${folder}/routes.ts`, `${folder}/app.ts`, `${folder}/domain.ts`].includes(i)));
    expect(api, 'domain routes, apps or descriptors').toEqual([]);
    expect(inputs.filter((i) => Object.values(DOMAIN_SCHEMAS).includes(i)), 'domain schema modules').toEqual([]);
    if (READS_FACETS.includes(id)) {
      expect(inputs, 'the facets (so the check above is about a bundle that reads them)').toContain('lambdas/facets.ts');
      expect(inputs.filter((i) => /^lambdas\/[^/]+\/facet\.ts$/.test(i)).sort()).toEqual(domainFolders.map((folder) => `${folder}/facet.ts`).sort());
    }
    const jobs = inputs.filter((i) => /^lambdas\/[^/]+\/jobs\.ts$/.test(i));
    if (id === RUNS_JOBS) {
      expect(inputs, 'the list of jobs').toContain('lambdas/jobs.ts');
      expect(jobs.sort()).toEqual(DOMAIN_JOBS.map((d) => `${path.dirname(FUNCTIONS[d.id].app)}/jobs.ts`).sort());
    } else {
      expect(jobs, 'scheduled-work jobs').toEqual([]);
    }
  });
});
