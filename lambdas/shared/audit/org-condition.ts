/**
 * Athena's rule for `audit_events`, checked before a query runs anywhere else (the local CLI, the
 * local access-report engine, the access-report function): `org` is an *injected* projected
 * partition, so every SELECT that reads the table must constrain `org` in its WHERE clause with
 * static equality only (`org = '<id>'`, `'<id>' = org`, `org IN ('<id>', ...)`), as top-level
 * AND conditions, and with at least one of them. Athena refuses anything else with
 * `ORG_CONDITION_MESSAGE`; so does this, so no query passes locally that fails in production.
 *
 * A small tokenizer and a parenthesis tree, not a SQL parser: it knows comments, string escapes,
 * quoted identifiers, subqueries, CTEs, set operations and `BETWEEN ... AND`. Where it is unsure
 * it refuses (an org value built by an expression, `NOT`, `OR`, a self-join without aliases), which
 * errs towards refusing a few queries Athena would run, never the reverse. Pure: no I/O.
 */

export const ORG_CONDITION_MESSAGE =
  'CONSTRAINT_VIOLATION: For the injected projected partition column org, the WHERE clause must contain only static equality conditions, and at least one such condition must be present';

/** The outcome: the org values the query names, or why it is refused (Athena's words where Athena has them). */
export type OrgConditionCheck = { ok: true; orgs: string[] } | { ok: false; message: string };

type Token =
  | { kind: 'word'; text: string } // unquoted identifier or keyword, lower-cased (Trino folds case)
  | { kind: 'ident'; text: string } // "quoted" identifier, lower-cased likewise
  | { kind: 'string'; text: string } // '...' with '' unescaped
  | { kind: 'number' | 'op'; text: string };
type Group = { kind: 'group'; children: Node[] };
type Node = Token | Group;

const TABLE = 'audit_events';
const COLUMN = 'org';

/** Checks `sql` against the injected-partition rule; see the module comment. */
export function checkOrgCondition(sql: string): OrgConditionCheck {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const semicolon = tokens.findIndex((t) => t.kind === 'op' && t.text === ';');
  if (semicolon >= 0 && semicolon < tokens.length - 1) return { ok: false, message: 'Only one statement per query' };
  if (semicolon >= 0) tokens = tokens.slice(0, semicolon);
  const tree = nest(tokens);
  if (!tree) return { ok: false, message: 'Unbalanced parentheses' };
  // Catalog statements read no rows (Athena answers them from Glue).
  if (isWord(tree[0], 'describe', 'show')) return { ok: true, orgs: [] };
  const seen = { orgs: [] as string[], tables: 0 };
  const problem = checkBlock(tree, seen);
  if (problem) return { ok: false, message: problem };
  // A reference the SELECT walk did not check (DuckDB's FROM-first syntax, `TABLE audit_events`):
  // refused rather than trusted.
  if (seen.tables !== countTableNames(tree)) return { ok: false, message: ORG_CONDITION_MESSAGE };
  return { ok: true, orgs: [...new Set(seen.orgs)] };
}

/**
 * As `checkOrgCondition`, and every org the query names must be `orgId`: with a compliance
 * officer's credentials Athena cannot list another org's prefix and fails the query.
 */
export function checkOrgScope(sql: string, orgId: string | undefined): OrgConditionCheck {
  const checked = checkOrgCondition(sql);
  if (!checked.ok || orgId === undefined) return checked;
  const foreign = checked.orgs.find((o) => o !== orgId);
  if (foreign !== undefined) {
    return { ok: false, message: `Permission denied on S3 path: audit/org=${foreign}/ (your credentials read org ${orgId} only)` };
  }
  return checked;
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error('Unterminated comment');
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(c === "'" ? 'Unterminated string literal' : 'Unterminated quoted identifier');
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            text += c;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j++];
      }
      out.push(c === "'" ? { kind: 'string', text } : { kind: 'ident', text: text.toLowerCase() });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', text: m[0].toLowerCase() });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9.eE]*/.exec(sql.slice(i))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else {
      const two = sql.slice(i, i + 2);
      const op = ['<>', '!=', '<=', '>=', '||', '::', '->'].includes(two) ? two : c;
      out.push({ kind: 'op', text: op });
      i += op.length;
    }
  }
  return out;
}

/** Parentheses into groups; undefined when they do not balance. */
function nest(tokens: Token[]): Node[] | undefined {
  const stack: Node[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === '(') stack.push([]);
    else if (t.kind === 'op' && t.text === ')') {
      if (stack.length === 1) return undefined;
      const children = stack.pop()!;
      stack.at(-1)!.push({ kind: 'group', children });
    } else stack.at(-1)!.push(t);
  }
  return stack.length === 1 ? stack[0] : undefined;
}

const isWord = (n: Node | undefined, ...words: string[]): boolean => n?.kind === 'word' && words.includes(n.text);
const isOp = (n: Node | undefined, text: string): boolean => n?.kind === 'op' && n.text === text;
const isName = (n: Node | undefined, name: string): boolean => (n?.kind === 'word' || n?.kind === 'ident') && n.text === name;

/** A group holding a query (`(SELECT ...)`, `(WITH ...)`, `((SELECT ...))`). */
function isSubquery(n: Node | undefined): boolean {
  if (n?.kind !== 'group') return false;
  const first = n.children[0];
  return isWord(first, 'select', 'with', 'values', 'table') || (n.children.length === 1 && isSubquery(first));
}

const CLAUSE_ENDS = ['group', 'having', 'order', 'limit', 'offset', 'fetch', 'window', 'qualify'];

/**
 * One query level: its set-operation branches (UNION, INTERSECT, EXCEPT) each checked on their own,
 * and every nested subquery (in CTEs, FROM, WHERE, the select list) checked as a level of its own.
 */
function checkBlock(nodes: Node[], seen: Seen): string | undefined {
  for (const sub of subqueries(nodes)) {
    const problem = checkBlock(sub.children, seen);
    if (problem) return problem;
  }
  let start = 0;
  for (let i = 0; i <= nodes.length; i++) {
    if (i === nodes.length || isWord(nodes[i], 'union', 'intersect', 'except')) {
      const problem = checkSelect(nodes.slice(start, i), seen);
      if (problem) return problem;
      start = i + 1;
    }
  }
  return undefined;
}

/** Every subquery group anywhere under `nodes`, not looking inside subqueries themselves. */
function subqueries(nodes: Node[]): Group[] {
  const found: Group[] = [];
  for (const n of nodes) {
    if (n.kind === 'group' && isSubquery(n)) found.push(n);
    else if (n.kind === 'group') found.push(...subqueries(n.children));
  }
  return found;
}

interface Seen {
  orgs: string[];
  /** References to audit_events found in checked FROM clauses. */
  tables: number;
}
interface TableRef {
  alias: string | undefined;
}
interface StaticCondition {
  qualifier: string | undefined;
  values: string[];
}

/** One SELECT: does it read audit_events, and if so, is its WHERE what Athena requires? */
function checkSelect(nodes: Node[], seen: Seen): string | undefined {
  // A leading WITH list belongs to this level; its clauses start at the SELECT.
  const select = nodes.findIndex((n) => isWord(n, 'select'));
  if (select < 0) return undefined;
  const body = nodes.slice(select);
  const from = body.findIndex((n, i) => isWord(n, 'from') && !isWord(body[i - 1], 'distinct'));
  if (from < 0) return undefined;
  const where = body.findIndex((n, i) => i > from && isWord(n, 'where'));
  const fromEnd = where >= 0 ? where : endOfClause(body, from);
  const tables = tableRefs(body.slice(from + 1, fromEnd));
  seen.tables += tables.length;
  if (tables.length === 0) return undefined;
  if (where < 0) return ORG_CONDITION_MESSAGE;

  const conditions: StaticCondition[] = [];
  for (const conjunct of conjuncts(body.slice(where + 1, endOfClause(body, where)))) {
    const condition = staticCondition(conjunct);
    if (condition) conditions.push(condition);
    else if (mentionsOrg(conjunct)) return ORG_CONDITION_MESSAGE;
  }
  // Each reference to the table needs its own condition: unqualified serves a lone reference only.
  for (const table of tables) {
    const covered = conditions.some((c) =>
      c.qualifier === undefined ? tables.length === 1 : c.qualifier === (table.alias ?? TABLE),
    );
    if (!covered) return ORG_CONDITION_MESSAGE;
  }
  for (const c of conditions) seen.orgs.push(...c.values);
  return undefined;
}

function endOfClause(nodes: Node[], from: number): number {
  const end = nodes.findIndex((n, i) => i > from && isWord(n, ...CLAUSE_ENDS));
  return end < 0 ? nodes.length : end;
}

const NOT_ALIASES = new Set(['where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'tablesample', 'for', ...CLAUSE_ENDS]);

/** References to audit_events in a FROM clause (also `db.audit_events`, `"audit_events"`, inside join parentheses). */
function tableRefs(nodes: Node[]): TableRef[] {
  const refs: TableRef[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind === 'group' && !isSubquery(n)) refs.push(...tableRefs(n.children));
    if (!isName(n, TABLE) || isOp(nodes[i + 1], '.')) continue;
    let j = i + 1;
    if (isWord(nodes[j], 'as')) j++;
    const next = nodes[j];
    const alias = (next?.kind === 'word' && !NOT_ALIASES.has(next.text)) || next?.kind === 'ident' ? next.text : undefined;
    refs.push({ alias });
  }
  return refs;
}

/** The WHERE clause's top-level AND terms; a parenthesised term of ANDs is opened up. */
function conjuncts(nodes: Node[]): Node[][] {
  const terms: Node[][] = [];
  let current: Node[] = [];
  let betweenOpen = false;
  for (const n of nodes) {
    if (isWord(n, 'between')) betweenOpen = true;
    if (isWord(n, 'and')) {
      if (betweenOpen) betweenOpen = false;
      else {
        terms.push(current);
        current = [];
        continue;
      }
    }
    current.push(n);
  }
  terms.push(current);
  return terms.flatMap((t) => {
    const only = t.length === 1 ? t[0]! : undefined;
    return only?.kind === 'group' && !isSubquery(only) ? conjuncts(only.children) : [t];
  });
}

/** `[q.]org = 'v'`, `'v' = [q.]org`, `[q.]org IN ('v', ...)`: the whole term, nothing else. */
function staticCondition(term: Node[]): StaticCondition | undefined {
  const ref = (at: number): { qualifier: string | undefined; next: number } | undefined => {
    if (isOrgColumn(term, at) && !isOp(term[at - 1], '.')) return { qualifier: undefined, next: at + 1 };
    const q = term[at];
    if ((q?.kind === 'word' || q?.kind === 'ident') && isOp(term[at + 1], '.') && isOrgColumn(term, at + 2)) return { qualifier: q.text, next: at + 3 };
    return undefined;
  };
  const left = ref(0);
  if (left) {
    const rest = term.slice(left.next);
    const value = rest.length === 2 ? rest[1]! : undefined;
    if (value?.kind === 'string' && isOp(rest[0], '=')) return { qualifier: left.qualifier, values: [value.text] };
    if (value?.kind === 'group' && isWord(rest[0], 'in')) {
      const values = stringList(value.children);
      if (values) return { qualifier: left.qualifier, values };
    }
    return undefined;
  }
  const first = term[0];
  if (first?.kind === 'string' && isOp(term[1], '=')) {
    const right = ref(2);
    if (right && right.next === term.length) return { qualifier: right.qualifier, values: [first.text] };
  }
  return undefined;
}

function stringList(nodes: Node[]): string[] | undefined {
  const values: string[] = [];
  for (let i = 0; i < nodes.length; i += 2) {
    const v = nodes[i];
    if (v?.kind !== 'string' || (i + 1 < nodes.length && !isOp(nodes[i + 1], ','))) return undefined;
    values.push(v.text);
  }
  return values.length > 0 ? values : undefined;
}

/** The column `org` at `at` (not a table or alias named org, which a dot follows). */
const isOrgColumn = (nodes: Node[], at: number): boolean => isName(nodes[at], COLUMN) && !isOp(nodes[at + 1], '.');

/** Every use of the name audit_events as a table (not as a column qualifier) in the statement. */
function countTableNames(nodes: Node[]): number {
  return nodes.reduce((n, node, i) => n + (node.kind === 'group' ? countTableNames(node.children) : isName(node, TABLE) && !isOp(nodes[i + 1], '.') ? 1 : 0), 0);
}

/** Does the term use the column `org` at this level (subqueries are checked on their own)? */
function mentionsOrg(nodes: Node[]): boolean {
  return nodes.some((n, i) => (n.kind === 'group' ? !isSubquery(n) && mentionsOrg(n.children) : isOrgColumn(nodes, i)));
}
