import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { ENV } from '../../lambdas/shared/env.js';
import { CARE_FUNCTION_RUNTIME } from '../../lib/constructs/care-function.js';
import { fromRoot } from '../../lib/paths.js';

/**
 * From nodejs24.x on, Lambda refuses at init (Runtime.CallbackHandlerDeprecated) any handler it
 * takes for callback style: one declaring three or more parameters, whatever it returns. The type
 * checker cannot see this (a wrapper may add a `callback` parameter), so each entry's exported
 * `handler` is loaded and its arity checked.
 */
describe(`every handler suits ${CARE_FUNCTION_RUNTIME.name}`, () => {
  const saved = { ...process.env };
  beforeAll(() => {
    // The entries read their configuration at load; placeholders are enough, nothing is called.
    for (const name of Object.values(ENV)) process.env[name] ??= `handlers-test-${name.toLowerCase()}`;
    process.env.AWS_REGION ??= 'us-east-1';
  });
  afterAll(() => {
    process.env = { ...saved };
  });

  it.each(Object.entries(FUNCTIONS).map(([id, def]) => [id, def.entry] as const))('%s (%s) exports a handler of at most two parameters', async (_id, entry) => {
    const mod = (await import(fromRoot(entry))) as { handler?: unknown };
    expect(typeof mod.handler).toBe('function');
    expect((mod.handler as (...args: unknown[]) => unknown).length).toBeLessThanOrEqual(2);
  });
});
