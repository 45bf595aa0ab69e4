import { describe, expect, it } from 'vitest';
import { importGraph, tsFiles } from './import-graph.js';

/**
 * No import circles in runtime and local code (lambdas/, local/). A circle makes module load order
 * decide whether a binding is initialised yet, and it is the sign of a type or fact living in the
 * wrong module (the fix is a module below both, e.g. local/deps.ts). Type-only imports count: they
 * are the usual way a circle starts. The graph follows relative imports into any repository file,
 * so a circle through schemas/, lib/ or scripts/ is found too.
 */

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
