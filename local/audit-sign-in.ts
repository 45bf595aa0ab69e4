/**
 * `npm run audit -- --as <email>`: the local counterpart of a compliance officer's path on AWS
 * (docs/audit.md). Signs in through the local user pool's Cognito API, verifies the ID token
 * against the pool's JWKS, and takes the org from the token's `custom:orgId`, never from anything
 * typed on the command line; like the identity pool's role mapping, only `compliance` gets in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { parseGroups } from '../lambdas/shared/auth/caller.js';
import { createTokenVerifier } from './cognito/token-verifier.js';

/** What the CLI reads of `.carestack/outputs.json` (the stack's LocalOutputs). */
interface PoolOutputs {
  CognitoEndpoint: string;
  Region: string;
  UserPoolId: string;
  UserPoolClientId: string;
}

export interface AuditOfficer {
  email: string;
  userId: string;
  orgId: string;
}

/** The role the identity pool maps to audit credentials (lib/services/compliance-access.ts). */
export const AUDIT_ROLE = 'compliance';

export async function signInAsOfficer(
  dataDir: string,
  email: string,
  password: string | undefined,
  prompt?: (question: string) => Promise<string>,
): Promise<AuditOfficer> {
  const outputs = await readJson<PoolOutputs>(path.join(dataDir, 'outputs.json'));
  if (!outputs) throw new Error(`No ${path.join(dataDir, 'outputs.json')}: start the local stack first (npm start)`);
  const secret = password ?? (await demoPassword(dataDir, email)) ?? (prompt ? await prompt(`Password for ${email}: `) : undefined);
  if (!secret) throw new Error(`No password for ${email}: pass --password`);

  const cognito = new CognitoIdentityProviderClient({
    endpoint: outputs.CognitoEndpoint,
    region: outputs.Region,
    // The local pool does not check SigV4; the SDK insists on some credentials.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let idToken: string | undefined;
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: outputs.UserPoolClientId, AuthParameters: { USERNAME: email, PASSWORD: secret } }),
    );
    idToken = out.AuthenticationResult?.IdToken;
  } catch (error) {
    throw new Error(`Sign-in failed for ${email}: ${(error as Error).message}`);
  } finally {
    cognito.destroy();
  }
  if (!idToken) throw new Error(`Sign-in for ${email} needs a challenge the CLI does not answer`);

  const issuer = `${outputs.CognitoEndpoint}/${outputs.UserPoolId}`;
  const claims = await createTokenVerifier({ issuer, clientId: outputs.UserPoolClientId, jwksUri: `${issuer}/.well-known/jwks.json` })(idToken);
  if (!parseGroups(claims['cognito:groups']).includes(AUDIT_ROLE)) {
    throw new Error(`${email} is not in the ${AUDIT_ROLE} group: no audit credentials (AWS: the identity pool denies them)`);
  }
  const orgId = claims['custom:orgId'];
  if (typeof orgId !== 'string' || !orgId) throw new Error(`${email} has no custom:orgId`);
  return { email, userId: claims.sub, orgId };
}

interface DemoFile {
  users: Array<{ email: string; password: string }>;
  otherOrg?: { users: Array<{ email: string; password: string }> };
}

async function demoPassword(dataDir: string, email: string): Promise<string | undefined> {
  const demo = await readJson<DemoFile>(path.join(dataDir, 'demo-users.json'));
  const users = [...(demo?.users ?? []), ...(demo?.otherOrg?.users ?? [])];
  return users.find((u) => u.email.toLowerCase() === email.toLowerCase())?.password;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
