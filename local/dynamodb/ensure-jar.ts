/**
 * Makes Amazon's DynamoDB Local available without installing the npm package that ships it.
 *
 * `amplify-dynamodb-simulator` carries the jar in its `emulator/` folder, but installing the
 * package pulls ~350 MB of dependencies. So we `npm pack` the one tarball, check it against a
 * pinned integrity, and extract only `package/emulator/` into this clone's
 * `node_modules/.cache/` (git-ignored, reused across runs).
 *
 * Run as a script: `npm run setup:dynamodb`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const PACKAGE = 'amplify-dynamodb-simulator';
const VERSION = '2.9.30';
const INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE_ROOT = path.join(REPO_ROOT, 'node_modules', '.cache', 'carestack');

/** Where the emulator folder (DynamoDBLocal.jar and DynamoDBLocal_lib/) lives once extracted. */
export const DYNAMODB_LOCAL_DIR = path.join(CACHE_ROOT, `dynamodb-local-${VERSION}`);

export interface DynamoDbLocalFiles {
  readonly jarPath: string;
  readonly libPath: string;
}

function filesIn(dir: string): DynamoDbLocalFiles {
  return { jarPath: path.join(dir, 'DynamoDBLocal.jar'), libPath: path.join(dir, 'DynamoDBLocal_lib') };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Returns the paths of DynamoDB Local's jar and native libraries, fetching them on first use.
 *
 * Safe to call from parallel processes: each extracts into its own temp folder and renames it
 * into place; whoever loses the rename uses the winner's copy.
 */
export async function ensureDynamoDbLocal(): Promise<DynamoDbLocalFiles> {
  const target = filesIn(DYNAMODB_LOCAL_DIR);
  // The folder only ever appears through a rename of a complete extraction.
  if (await exists(target.jarPath)) return target;

  await mkdir(CACHE_ROOT, { recursive: true });
  const work = await mkdtemp(path.join(CACHE_ROOT, '.dynamodb-local-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await execFileAsync(npm, ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', work, '--silent'], {
      cwd: work,
      shell: process.platform === 'win32',
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${PACKAGE}@${VERSION} produced no tarball in ${work}`);
    const tarballPath = path.join(work, tarball);

    const integrity = await sha512Integrity(tarballPath);
    if (integrity !== INTEGRITY) {
      throw new Error(
        `${PACKAGE}@${VERSION} failed its integrity check: expected ${INTEGRITY}, got ${integrity}. Refusing to use it.`,
      );
    }

    const extractDir = path.join(work, 'extract');
    await mkdir(extractDir);
    await execFileAsync('tar', ['-xzf', tarballPath, '-C', extractDir, 'package/emulator']);
    const extracted = path.join(extractDir, 'package', 'emulator');
    if (!(await exists(filesIn(extracted).jarPath))) {
      throw new Error(`${PACKAGE}@${VERSION} has no emulator/DynamoDBLocal.jar`);
    }

    try {
      await rename(extracted, DYNAMODB_LOCAL_DIR);
    } catch (error) {
      // Another process finished first: its copy is complete, so use it.
      if (!(await exists(target.jarPath))) throw error;
    }
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  ensureDynamoDbLocal().then(
    ({ jarPath }) => console.log(`DynamoDB Local ready: ${jarPath} (${Date.now() - started} ms)`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
