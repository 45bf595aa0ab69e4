import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients, built once per execution environment (module scope), never per request. Only the
 * AWS entry files (`handler.ts`) import this; the local stack builds its own clients.
 *
 * One exported function per client, never an object holding them all: the SDK packages are
 * side-effect free, so esbuild drops every client a function does not call. An object of getters
 * would put all four clients (S3 alone is ~200 KB minified) into every bundle and every cold start
 * (`npm run bench`, "bundles").
 */
let dynamo: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let events: EventBridgeClient | undefined;
let athena: AthenaClient | undefined;
let streams: DynamoDBStreamsClient | undefined;
let sqs: SQSClient | undefined;

export const dynamoClient = (): DynamoDBClient => (dynamo ??= new DynamoDBClient({}));
export const s3Client = (): S3Client => (s3 ??= new S3Client({}));
export const eventBridgeClient = (): EventBridgeClient => (events ??= new EventBridgeClient({}));
export const athenaClient = (): AthenaClient => (athena ??= new AthenaClient({}));
export const dynamoStreamsClient = (): DynamoDBStreamsClient => (streams ??= new DynamoDBStreamsClient({}));
export const sqsClient = (): SQSClient => (sqs ??= new SQSClient({}));
