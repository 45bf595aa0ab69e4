/**
 * The floor for section 3: the least an API function of CareStack could be. It imports only the
 * DynamoDB client and serves one GetItem of the patient in the path, with the same bundling,
 * environment and stub as the real functions, so a function's bundle and cold init are read as a
 * multiple of what no function can go below (docs: bench/README.md, section 3).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const tableName = process.env.TABLE_NAME;

interface FloorEvent {
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly requestContext?: { readonly authorizer?: { readonly claims?: Readonly<Record<string, string>> } };
}

export const handler = async (event: FloorEvent): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => {
  const orgId = event.requestContext?.authorizer?.claims?.['custom:orgId'];
  const patientId = event.pathParameters?.patientId;
  const out = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { PK: { S: `ORG#${orgId}#PAT#${patientId}` }, SK: { S: 'PROFILE' } } }),
  );
  return {
    statusCode: out.Item ? 200 : 404,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(out.Item ?? { error: { code: 'not_found', message: 'Not found' } }),
  };
};
