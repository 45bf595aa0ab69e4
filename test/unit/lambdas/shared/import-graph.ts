import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The repository's import graph as the import tests read it (import-cycles.test.ts,
 * domain-boundaries.test.ts): static `import ... from`, `import '...'` and `export ... from`,
 * type-only included, relative specifiers only, files named relative to the repository root.
 */
export const ROOT = path.resolve(import.meta.dirname, '../../../..');

export function tsFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Static `import ... from`, `import '...'`, `export ... from` (type-only included); relative only. */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (!specifier?.startsWith('.')) continue;
    const resolved = resolve(file, specifier);
    if (resolved) out.push(resolved);
  }
  return out;
}

/** NodeNext spelling: `./x.js` is `./x.ts` on disk. Non-TypeScript targets (`.json`, `.js` assets) are leaves. */
export function resolve(from: string, specifier: string): string | undefined {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(path.join(ROOT, c)));
}

export function importGraph(roots: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const deps = importsOf(file);
    graph.set(file, deps);
    queue.push(...deps.filter((d) => !graph.has(d)));
  }
  return graph;
}

