/**
 * The web quickstart's Vite config takes the stack's outputs as the local stack writes them (flat)
 * and as `cdk deploy --all --outputs-file` writes them (nested by stack), and refuses a file that
 * lacks what the app needs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutputs } from '../../../examples/web/vite.config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'carestack-web-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = async (name: string, content: unknown) => {
  const target = path.join(dir, name);
  await writeFile(target, JSON.stringify(content));
  return target;
};

describe('examples/web: reading the outputs', () => {
  it("takes the local stack's outputs.json as it is", async () => {
    const local = {
      ApiUrl: 'http://127.0.0.1:3000', GraphqlUrl: 'https://127.0.0.1:4443/graphql', RealtimeUrl: 'wss://127.0.0.1:4443/graphql/realtime',
      UserPoolId: 'local_abc', UserPoolClientId: 'client1', Region: 'us-east-1', CognitoEndpoint: 'http://127.0.0.1:9229',
    };
    expect(readOutputs(await file('local.json', local))).toEqual(local);
  });

  it("flattens cdk deploy's outputs file, nested by stack", async () => {
    const cdk = {
      CareStackStateful: { TableName: 't' },
      CareStackStateless: { GraphqlUrl: 'https://x.appsync-api.eu-west-1.amazonaws.com/graphql', UserPoolId: 'eu-west-1_a', UserPoolClientId: 'c', Region: 'eu-west-1' },
      CareStackApi: { ApiUrl: 'https://y.execute-api.eu-west-1.amazonaws.com/prod/' },
    };
    expect(readOutputs(await file('cdk.json', cdk))).toMatchObject({
      ApiUrl: cdk.CareStackApi.ApiUrl, GraphqlUrl: cdk.CareStackStateless.GraphqlUrl, UserPoolId: 'eu-west-1_a', Region: 'eu-west-1',
    });
  });

  it('names what a file lacks', async () => {
    expect(() => readOutputs(path.join(dir, 'none.json'))).toThrow(/ENOENT/);
    const partial = await file('partial.json', { ApiUrl: 'http://127.0.0.1:3000', Region: 'us-east-1' });
    expect(() => readOutputs(partial)).toThrow('lacks GraphqlUrl, UserPoolId, UserPoolClientId: is it the stack\'s outputs?');
  });
});
