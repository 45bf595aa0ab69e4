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
  /**
   * The API stack, with each cross-stack import replaced by what the stateless stack exports under
   * that name (`{ 'Fn::GetAtt': [<function>, 'Arn'] }`), so assertions name the functions directly.
   */
  readonly apiTemplate: Template;
}

/** `template` with every `Fn::ImportValue` of an export of `exporter` replaced by the exported value. */
export function resolveImports(template: Template, exporter: Template): Template {
  const outputs = (exporter.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
  const exported = new Map(Object.values(outputs).filter((o) => o.Export).map((o) => [o.Export!.Name, o.Value]));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const name = o['Fn::ImportValue'];
      if (typeof name === 'string' && Object.keys(o).length === 1 && exported.has(name)) return exported.get(name);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return Template.fromJSON(walk(template.toJSON()) as Record<string, unknown>);
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
    apiTemplate: resolveImports(Template.fromStack(stacks.api), Template.fromStack(stacks.stateless)),
  };
}
