import { readFileSync } from 'node:fs';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
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
   * The API stack with its nested route stacks folded in (each nested stack's parameters replaced
   * by what the API stack passes), and each cross-stack import replaced by what the stateless stack
   * exports under that name (`{ 'Fn::GetAtt': [<function>, 'Arn'] }`): one template in which
   * assertions name the API's resources and the functions directly, as if it were one stack.
   */
  readonly apiTemplate: Template;
}

/** The nested stacks of `stack`, each with its own template and the parameters its parent passes. */
export function nestedStacksOf(stack: Stack): Array<{ nested: NestedStack; template: Template; parameters: Record<string, unknown> }> {
  const parent = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties?: { Parameters?: Record<string, unknown> } }>;
  return stack.node
    .findAll()
    .filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack)
    .map((nested) => ({
      nested,
      template: Template.fromStack(nested),
      parameters: parent[stack.getLogicalId(nested.nestedStackResource!)]?.Properties?.Parameters ?? {},
    }));
}

/** `stack`'s template with the resources of its nested stacks merged in, their parameters resolved. */
export function foldNested(stack: Stack): Template {
  const own = Template.fromStack(stack).toJSON() as { Resources: Record<string, unknown> };
  const resources = { ...own.Resources };
  for (const { nested, template, parameters } of nestedStacksOf(stack)) {
    // Logical ids are unique within a template only: prefix the nested ones with the nested stack's.
    const own = (template.toJSON() as { Resources: Record<string, unknown> }).Resources;
    const prefix = stack.getLogicalId(nested.nestedStackResource!);
    const id = (x: unknown) => (typeof x === 'string' && x in own ? `${prefix}${x}` : x);
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.Ref === 'string' && Object.keys(o).length === 1) return o.Ref in parameters ? parameters[o.Ref] : { Ref: id(o.Ref) };
        if (Array.isArray(o['Fn::GetAtt']) && Object.keys(o).length === 1) {
          const [target, attr] = o['Fn::GetAtt'] as [string, string];
          return { 'Fn::GetAtt': [id(target), attr] };
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, k === 'DependsOn' ? [x].flat().map(id) : walk(x)]));
      }
      return v;
    };
    for (const [logicalId, r] of Object.entries(own)) resources[`${prefix}${logicalId}`] = walk(r);
  }
  return Template.fromJSON({ ...own, Resources: resources });
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
  // The infra project shares one module graph per worker (vitest.config.ts): each distinct app is
  // synthesised once and its templates read by every file. Callers only read what they get.
  const key = JSON.stringify([stage, overrides]);
  let built = builtApps.get(key);
  if (!built) {
    built = synthesise(stage, overrides);
    builtApps.set(key, built);
  }
  return built;
}

const builtApps = new Map<string, BuiltApp>();

function synthesise(stage: 'dev' | 'prod', overrides: Record<string, unknown>): BuiltApp {
  const app = new App({ context: cdkContext({ stage, 'aws:cdk:bundling-stacks': [], ...overrides }) });
  const stacks = addCareStack(app);
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
    apiTemplate: resolveImports(foldNested(stacks.api), Template.fromStack(stacks.stateless)),
  };
}
