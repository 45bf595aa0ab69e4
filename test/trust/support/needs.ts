/**
 * The resources the authorisation matrix's rows need (`needs` in support/matrix.ts), declared by
 * domain: `needs/<domain>.ts` (the domain's folder name under lambdas/) exports `NEEDS`, each need
 * once with how the matrix makes it for a row (`resolve`, through the API, as a client would) and the
 * stand-in the hostile-input generator puts in a valid body before breaking it (`placeholder`). The
 * table is derived from the list of domains (lambdas/domains.ts), so a new domain adds its needs in
 * its own file and nothing else; a file no domain owns, a need declared twice, or a route naming a
 * need without an entry fails the suite (`assertNeedsDeclared`).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DOMAINS } from '../../../lambdas/domains.js';
import type { Role } from '../../../schemas/roles.js';
import type { Json } from '../../support/json.js';
import type { HostileWorld } from './hostile.js';
import type { MatrixEntry, Relationship } from './matrix.js';
import type { Org, TrustStack } from './stack.js';

/** A need's name: a key of some domain's `NEEDS`. */
export type Need = string;

/** The world the matrix's rows run in (support/matrix-runner.ts makes it once). */
export interface NeedWorld {
  t: TrustStack;
  /** The token and user id of a role's user, per org (every role exists in both orgs). */
  tok(role: Role, org: Org): string;
  uid(role: Role, org: Org): string;
  /** The row's target patient per relationship. */
  patients: Readonly<Record<Relationship, string>>;
  /** An aide of the own org no role caller is, and its token: holds offers and visits that are not the caller's. */
  spare: string;
  spareToken: string;
  /** A setup request that must succeed (any of `ok`, else 200/201/204), or the run stops saying what failed. */
  must(res: Promise<{ status: number; body: Json }>, what: string, ...ok: number[]): Promise<Json>;
  /** Memoised setup shared by rows that only read it (promises, so parallel rows do not race). */
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** An own-org user other than the caller, for resources the caller must not own. */
  someoneElse(role: Role, rel: Relationship): Role;
}

/** One row of the matrix, as a need sees it. */
export interface NeedRow {
  role: Role;
  rel: Relationship;
  /** Unique per row. */
  n: number;
  /** Whether the caller owns the row's resource so far (OWNS_RESOURCE, or what an earlier need said). */
  ownsResource: boolean;
  patientId: string;
  /** The caller's org, and the caller's token. */
  org: Org;
  caller: string;
  /** The own org's admin's token: setup that is not what the row tests. */
  admin: string;
  /** Another need for the same row (a dose needs its as-needed medication). */
  need(name: Need): Promise<NeedResult>;
}

export interface NeedResult {
  value: Json;
  /** Who owns the made resource, when the need decides it (else the row's relationship does). */
  owned?: boolean;
}

export interface NeedSpec {
  resolve(row: NeedRow, w: NeedWorld): Promise<NeedResult>;
  /** What a valid body of the hostile-input generator names for this need. */
  placeholder(w: HostileWorld): Json;
}

export const defineNeeds = <const N extends Record<string, NeedSpec>>(needs: N): N => needs;

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'needs');
const folders = DOMAINS.map((d) => path.basename(path.dirname(d.app)));

const stray = readdirSync(DIR).filter((f) => !folders.includes(path.basename(f, '.ts')));
if (stray.length) throw new Error(`test/trust/support/needs/: ${stray.join(', ')} name no domain folder (lambdas/<domain>/)`);

const table: Record<Need, NeedSpec> = {};
const owners = new Map<Need, string>();
for (const folder of folders) {
  const file = path.join(DIR, `${folder}.ts`);
  if (!existsSync(file)) continue; // a domain whose rows need nothing made first
  const mod = (await import(pathToFileURL(file).href)) as { NEEDS?: Record<Need, NeedSpec> };
  if (!mod.NEEDS) throw new Error(`${file} exports no NEEDS`);
  for (const [name, spec] of Object.entries(mod.NEEDS)) {
    const previous = owners.get(name);
    if (previous) throw new Error(`Matrix need ${name} is declared by both ${previous} and ${folder}`);
    owners.set(name, folder);
    table[name] = spec;
  }
}

/** Every need of every domain, by name. */
export const NEEDS: Readonly<Record<Need, NeedSpec>> = table;

/** Fails unless every need the given matrix entries name has an entry in NEEDS. */
export function assertNeedsDeclared(matrix: Readonly<Record<string, MatrixEntry>>): void {
  const missing = Object.entries(matrix).flatMap(([key, e]) => (e.needs ?? []).filter((n) => !NEEDS[n]).map((n) => `${key}: ${n}`));
  if (missing.length) throw new Error(`Matrix needs without an entry in test/trust/support/needs/<domain>.ts: ${missing.join('; ')}`);
}
