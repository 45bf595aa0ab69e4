import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Imports that decide how much code each Lambda function loads at cold start (`npm run bench`,
 * "bundles"). `import { z } from 'zod'` binds zod's whole namespace object, which esbuild cannot
 * tree-shake: every locale and the JSON-schema code come along (~450 KB minified instead of ~90 KB).
 * `import * as z from 'zod'` is used the same way and shakes.
 */
const ROOT = path.resolve(import.meta.dirname, '../../../..');

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

  it("imports zod as a namespace (import * as z from 'zod'), never the z object", () => {
    const offenders = files.filter((f) => /^import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod['"]/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders, "use `import * as z from 'zod'`: the z object pulls all of zod into every bundle").toEqual([]);
  });

  it('builds SDK clients with one function per client (lambdas/shared/aws/clients.ts), so unused clients are dropped', () => {
    const offenders = files.filter((f) => /import\s*\{\s*clients\s*\}/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('what the sign-in trigger bundles', () => {
  it('leaves zod out: it needs only the role names, and the Role schema is marked pure', async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [path.join(ROOT, 'lambdas/sign-in-audit/handler.ts')],
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
    const inputs = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs);
    expect(inputs.some((f) => f.includes('schemas/roles.ts'))).toBe(true);
    expect(inputs.filter((f) => f.includes('node_modules/zod/'))).toEqual([]);
  });
});
