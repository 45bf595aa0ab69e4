import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients, built once per execution environment (module scope), never per request. Only the
 * AWS entry files (`handler.ts`) import this; the local stack builds its own clients.
 */
let dynamo: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let events: EventBridgeClient | undefined;
let cognito: CognitoIdentityProviderClient | undefined;

export const clients = {
  dynamo: () => (dynamo ??= new DynamoDBClient({})),
  s3: () => (s3 ??= new S3Client({})),
  events: () => (events ??= new EventBridgeClient({})),
  cognito: () => (cognito ??= new CognitoIdentityProviderClient({})),
};
