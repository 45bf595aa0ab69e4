/**
 * `npm run token -- <role | email> [--password P] [--data-dir DIR]`: signs a demo user in through the
 * local user pool (USER_PASSWORD_AUTH, as the README's curl examples need) and prints their ID token,
 * nothing else, so `TOKEN=$(npm run -s token -- coordinator)` works. A role picks that role's user in
 * the first demo org (demo-users.json); an email may be any user, with `--password` when it is not a
 * demo user. When Cognito refuses, its own message goes to stderr ("Incorrect username or password.")
 * and the exit code is 1, so a script stops there instead of sending an empty token.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { DemoUsers } from './seed.js';
import type { LocalOutputs } from './stack.js';

export interface TokenRequest {
  /** The state folder `npm start` wrote outputs.json and demo-users.json to. */
  readonly dataDir: string;
  /** A role of the first demo org (`coordinator`, `family`, ...) or an email. */
  readonly who: string;
  /** @default - the demo user's password from demo-users.json */
  readonly password?: string;
}

/** A failure to show the user as it is: a missing file, an unknown role, or Cognito's own answer. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export async function demoIdToken(request: TokenRequest): Promise<string> {
  const outputsFile = path.join(request.dataDir, 'outputs.json');
  const outputs = await readJson<LocalOutputs>(outputsFile);
  if (!outputs) throw new TokenError(`No ${outputsFile}: start the local stack first (npm start)`);
  const demo = await readJson<DemoUsers>(path.join(request.dataDir, 'demo-users.json'));
  const everyone = [...(demo?.users ?? []), ...(demo?.otherOrg.users ?? [])];
  const byRole = request.who.includes('@') ? undefined : demo?.users.find((u) => u.role === request.who);
  const byEmail = everyone.find((u) => u.email.toLowerCase() === request.who.toLowerCase());
  const user = byRole ?? byEmail;
  const email = user?.email ?? (request.who.includes('@') ? request.who : undefined);
  if (!email) {
    const roles = (demo?.users ?? []).map((u) => u.role).join(', ');
    throw new TokenError(`No demo user with role "${request.who}"${roles ? ` (roles: ${roles})` : ''}; or give an email and --password`);
  }
  const password = request.password ?? user?.password;
  if (!password) throw new TokenError(`${email} is not a demo user: pass --password`);

  const cognito = new CognitoIdentityProviderClient({
    endpoint: outputs.CognitoEndpoint,
    region: outputs.Region,
    // The local pool does not check SigV4; the SDK insists on some credentials.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: outputs.UserPoolClientId, AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    const token = out.AuthenticationResult?.IdToken;
    if (!token) throw new TokenError(`Sign-in for ${email} asks for ${out.ChallengeName ?? 'a challenge'}, which this command does not answer`);
    return token;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    const e = error as Error & { code?: string };
    // Cognito's own message (e.g. NotAuthorizedException: "Incorrect username or password."), or why the pool is unreachable.
    const reason = e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message)) ? `${outputs.CognitoEndpoint} does not answer: is npm start running?` : e.message;
    throw new TokenError(`${e.name}: ${reason}`);
  } finally {
    cognito.destroy();
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function usage(): string {
  return 'Usage: npm run token -- <role | email> [--password P] [--data-dir DIR]   (roles: admin, coordinator, aide, clinician, family, patient, compliance)';
}

async function main(argv: readonly string[]): Promise<number> {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const flagged = new Set(['--password', '--data-dir'].flatMap((f) => (argv.includes(f) ? [argv.indexOf(f), argv.indexOf(f) + 1] : [])));
  const who = argv.find((a, i) => !flagged.has(i) && !a.startsWith('--'));
  if (!who) {
    console.error(usage());
    return 2;
  }
  const password = value('--password');
  try {
    const token = await demoIdToken({ dataDir: path.resolve(value('--data-dir') ?? '.carestack'), who, ...(password ? { password } : {}) });
    console.log(token);
    return 0;
  } catch (error) {
    console.error(error instanceof TokenError ? error.message : String(error));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
