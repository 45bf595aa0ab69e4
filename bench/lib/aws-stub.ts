/**
 * A tiny local HTTP stand-in for the AWS endpoints a function calls on its first invocation
 * (DynamoDB, S3, EventBridge, Cognito), so a cold start can be measured without AWS: the SDK is
 * pointed here with AWS_ENDPOINT_URL. It answers well-formed, minimal responses and counts calls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marshall } from '@aws-sdk/util-dynamodb';

export interface AwsStub {
  url: string;
  /** Calls answered, by operation (`DynamoDB.GetItem`, `S3.PutObject`, ...). */
  calls: Map<string, number>;
  close(): Promise<void>;
}

const NOW = '2025-03-01T10:00:00.000Z';

/** A stored patient, answered for any GetItem of a patient profile. */
function patientItem(pk: string): Record<string, unknown> {
  const [, orgId, , patientId] = pk.split('#');
  return {
    PK: pk,
    SK: 'PROFILE',
    id: patientId,
    patientId,
    entityType: 'Patient',
    orgId,
    displayName: 'Ada Lovelace',
    medicalRecordNumber: 'MRN-1',
    isActive: true,
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** The part of a DynamoDB request body the stub reads. */
type DynamoBody = { Key?: { PK?: { S?: string }; SK?: { S?: string } } };

function dynamo(op: string, body: DynamoBody): unknown {
  switch (op) {
    case 'GetItem': {
      const pk = body.Key?.PK?.S;
      const sk = body.Key?.SK?.S;
      return pk?.includes('#PAT#') && sk === 'PROFILE' ? { Item: marshall(patientItem(pk)) } : {};
    }
    case 'Query':
      return { Items: [], Count: 0, ScannedCount: 0 };
    case 'BatchGetItem':
      return { Responses: {}, UnprocessedKeys: {} };
    default:
      return {};
  }
}

export async function startAwsStub(): Promise<AwsStub> {
  const calls = new Map<string, number>();
  const count = (op: string) => calls.set(op, (calls.get(op) ?? 0) + 1);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const send = (status: number, contentType: string, payload: unknown, headers: Record<string, string> = {}) => {
        const text = payload === undefined ? '' : JSON.stringify(payload);
        res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': 'stub', 'content-length': Buffer.byteLength(text), ...headers });
        res.end(text);
      };
      if (target.startsWith('DynamoDB_20120810.')) {
        const op = target.slice('DynamoDB_20120810.'.length);
        count(`DynamoDB.${op}`);
        return send(200, 'application/x-amz-json-1.0', dynamo(op, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as DynamoBody));
      }
      if (target === 'AWSEvents.PutEvents') {
        count('EventBridge.PutEvents');
        const entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown[] }).Entries ?? [];
        return send(200, 'application/x-amz-json-1.1', { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) });
      }
      if (target.startsWith('AWSCognitoIdentityProviderService.')) {
        count(`Cognito.${target.split('.')[1]}`);
        return send(200, 'application/x-amz-json-1.1', {});
      }
      if (req.method === 'PUT') {
        count('S3.PutObject');
        res.writeHead(200, { etag: '"stub"', 'x-amz-request-id': 'stub', 'content-length': 0 });
        return res.end();
      }
      if (req.method === 'GET' && /[?&]list-type=2(&|$)/.test(req.url ?? '')) {
        // The audit function's journal LIST: no earlier plans (a first delivery).
        count('S3.ListObjectsV2');
        res.writeHead(200, { 'content-type': 'application/xml', 'x-amz-request-id': 'stub' });
        return res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys></ListBucketResult>');
      }
      count(`unknown ${req.method} ${req.url}`);
      send(400, 'application/json', { message: 'stub: unknown call' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
