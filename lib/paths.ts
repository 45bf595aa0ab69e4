import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** The repository root: entries in lambdas/functions.ts and asset paths are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of a file given relative to the project root. */
export const fromRoot = (...segments: string[]): string => path.join(PROJECT_ROOT, ...segments);
