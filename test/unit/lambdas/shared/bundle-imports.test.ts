import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Imports that decide how much code each Lambda function loads at cold start (`npm run bench`,
 * "bundles"). Runtime code uses zod/mini (`import * as z from 'zod/mini'`): its functions shake
 * one by one, where classic zod's methods bring every schema kind along (~90 KB minified against
 * ~36 KB). `import { z } from ...` binds zod's whole namespace object, which esbuild cannot
 * tree-shake at all: every locale and the JSON-schema code come along. Classic zod (`from 'zod'`)
 * stays fine for types (`import type`) and for tools that are no Lambda (scripts/docs).
 */
const ROOT = path.resolve(import.meta.dirname, '../../../..');

/** What esbuild bundles for a function entry (`lambdas/...`), the inputs with their imports. */
async function bundleInputs(entry: string) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return { bundled: Object.keys(Object.values(result.metafile.outputs)[0]!.inputs), inputs: result.metafile.inputs };
}

function runtimeFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe('bundle-friendly imports in runtime code (lambdas/, schemas/)', () => {
  const files = [...runtimeFiles('lambdas'), ...runtimeFiles('schemas')];

  it('finds the runtime files', () => {
    expect(files).toContain('lambdas/shared/data/db.ts');
  });

  it("imports zod as a namespace (import * as z from 'zod/mini'), never the z object", () => {
    const offenders = files.filter((f) => /^import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod(\/mini)?['"]/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders, "use `import * as z from 'zod/mini'`: the z object pulls all of zod into every bundle").toEqual([]);
  });

  it("validates with zod/mini: classic zod ('zod') only in `import type`", () => {
    const offenders = files.filter((f) => /^import(?!\s+type\b)[^;]*?from\s*['"]zod(\/v4)?(\/classic)?['"]/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders, "use `import * as z from 'zod/mini'`: classic zod adds ~55 KB to every function that bundles it").toEqual([]);
  });

  it('builds SDK clients with one function per client (lambdas/shared/aws/clients.ts), so unused clients are dropped', () => {
    const offenders = files.filter((f) => /import\s*\{\s*clients\s*\}/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('what the sign-in trigger bundles', () => {
  it('leaves zod out: it needs only the role names, and the Role schema is marked pure', async () => {
    const inputs = (await bundleInputs('lambdas/sign-in-audit/handler.ts')).bundled;
    expect(inputs.some((f) => f.includes('schemas/roles.ts'))).toBe(true);
    expect(inputs.filter((f) => f.includes('node_modules/zod/'))).toEqual([]);
  });
});

describe('what an API function bundles of zod', () => {
  const isZod = (f: string) => f.includes('node_modules/zod/');
  const isClassic = (f: string) => isZod(f) && !/node_modules\/zod\/(v4\/)?(mini|core|locales)\//.test(f);
  const entry = 'lambdas/assisted-living/handler.ts';

  it('bundles zod/mini (core, mini and the English locale), and no module pulls classic zod in', async () => {
    const { bundled, inputs } = await bundleInputs(entry);
    expect(bundled.some((f) => f.includes('node_modules/zod/v4/mini/'))).toBe(true);
    expect(bundled.some((f) => f.includes('node_modules/zod/v4/core/'))).toBe(true);
    expect(bundled.some((f) => f.includes('node_modules/zod/v4/locales/en.js'))).toBe(true);
    const classicImporters = Object.entries(inputs)
      .filter(([f, input]) => !isZod(f) && input.imports.some((i) => isClassic(i.path)))
      .map(([f]) => f);
    expect(classicImporters).toEqual([]);
  });

  it('bundles no classic zod (node_modules/zod/v4/classic/)', async () => {
    const { bundled } = await bundleInputs(entry);
    expect(bundled.filter((f) => f.includes('node_modules/zod/v4/classic/'))).toEqual([]);
    expect(bundled.filter(isClassic)).toEqual([]);
  });
});
