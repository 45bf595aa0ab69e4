import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No import circles in runtime and local code (lambdas/, local/). A circle makes module load order
 * decide whether a binding is initialised yet, and it is the sign of a type or fact living in the
 * wrong module (the fix is a module below both, e.g. local/deps.ts). Type-only imports count: they
 * are the usual way a circle starts. The graph follows relative imports into any repository file,
 * so a circle through schemas/, lib/ or scripts/ is found too.
 */
const ROOT = path.resolve(import.meta.dirname, '../../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Static `import ... from`, `import '...'`, `export ... from` (type-only included); relative only. */
function importsOf(file: string): string[] {
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
function resolve(from: string, specifier: string): string | undefined {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(path.join(ROOT, c)));
}

function importGraph(roots: readonly string[]): Map<string, string[]> {
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

/** Strongly connected components with a circle in them (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One concrete circle through a component's first file, for the failure message. */
function circleIn(graph: Map<string, string[]>, component: readonly string[]): string {
  const circle = shortestCircle(graph, component);
  const others = component.filter((f) => !circle.includes(f));
  return others.length > 0 ? `${circle} (also in the circle: ${others.join(', ')})` : circle;
}

function shortestCircle(graph: Map<string, string[]>, component: readonly string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start].join(' -> ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(', ');
}

describe('import circles in lambdas/ and local/', () => {
  const graph = importGraph([...tsFiles('lambdas'), ...tsFiles('local')]);
  const found = cycles(graph);

  it('reads the import graph, type-only imports and re-exports included', () => {
    expect(graph.get('local/stack.ts')).toContain('local/functions.ts');
    expect(graph.get('lambdas/identity/events.ts')).toContain('lambdas/shared/events/event-rule.ts'); // `import type`
    expect(graph.size).toBeGreaterThan(100);
  });

  it('finds a circle in a made-up graph, and none in a tree', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(circleIn(g, ['a', 'b', 'c'])).toBe('a -> b -> c -> a');
    expect(cycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('has no import circles', () => {
    const circles = found.map((c) => circleIn(graph, c));
    expect(circles, 'move the shared type or fact to a module both sides import').toEqual([]);
  });
});
