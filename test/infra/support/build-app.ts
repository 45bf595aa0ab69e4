import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addCareStack, type CareStackStacks } from '../../../lib/carestack-app.js';
import { fromRoot } from '../../../lib/paths.js';

/** The context of cdk.json (what `cdk synth` sees), with overrides. */
export function cdkContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(fromRoot('cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return { ...cdkJson.context, ...overrides };
}

export interface BuiltApp extends CareStackStacks {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/**
 * Builds the CareStack app for a stage exactly as bin/carestack.ts does (minus the CLI env).
 * Asset bundling is skipped (`aws:cdk:bundling-stacks: []`): the templates do not depend on the
 * bundle, and `npx cdk synth` is what proves bundling works.
 */
export function buildApp(stage: 'dev' | 'prod', overrides: Record<string, unknown> = {}): BuiltApp {
  const app = new App({ context: cdkContext({ stage, 'aws:cdk:bundling-stacks': [], ...overrides }) });
  const stacks = addCareStack(app);
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}
