import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../../../lambdas/messaging/attachment-store.js';
import { S3AttachmentStore } from '../../../../lambdas/messaging/s3-attachment-store.js';
import { NodeSha256 } from '../../../../lambdas/shared/aws/node-sha256.js';
import { startAwsEndpoint, type AwsEndpoint } from '../../../support/aws-endpoint.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const at = new Date('2025-03-01T10:00:00.000Z');

describe('the SigV4 signer on node:crypto', () => {
  it("reproduces AWS's published presigned-URL example (S3 docs, query string authentication)", async () => {
    // GET examplebucket/test.txt, us-east-1, 2013-05-24T00:00:00Z, 86400 s, signed header host only.
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const signed = await signer.presign(
      { method: 'GET', protocol: 'https:', hostname: 'examplebucket.s3.amazonaws.com', path: '/test.txt', query: {}, headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: new Date('2013-05-24T00:00:00Z'), expiresIn: 86400, unhoistableHeaders: new Set(['x-amz-content-sha256']), unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    expect(signed.query?.['X-Amz-Signature']).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });
});

describe('presigned URLs: the same as the S3 client and its presigner make', () => {
  const s3 = new S3Client({ region: 'eu-west-1', credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const store = new S3AttachmentStore({ bucketName: 'attachments-bucket', region: 'eu-west-1', credentials, now: () => at });

  it('an upload URL: content type and length signed, expiring, no checksum, byte for byte', async () => {
    const ours = await store.uploadUrl({ key: 'pending/org-1/att-1', contentType: 'application/pdf', size: 1234, expiresInSeconds: 900 });
    const sdk = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'attachments-bucket', Key: 'pending/org-1/att-1', ContentType: 'application/pdf', ContentLength: 1234 }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-type', 'content-length']),
      signingDate: at,
    });
    expect(ours).toBe(sdk);
    const url = new URL(ours);
    expect(url.host).toBe('attachments-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect([...url.searchParams.keys()].some((k) => /checksum/i.test(k))).toBe(false);
  });

  it('a download URL: short-lived, names the file (non-ASCII too), byte for byte', async () => {
    const ours = await store.downloadUrl({ key: 'files/org-1/att-1', fileName: "plan (final) é's.pdf", contentType: 'application/pdf', expiresInSeconds: 300 });
    const sdk = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: 'attachments-bucket', Key: 'files/org-1/att-1', ResponseContentType: 'application/pdf', ResponseContentDisposition: contentDisposition("plan (final) é's.pdf") }),
      { expiresIn: 300, signingDate: at },
    );
    expect(ours).toBe(sdk);
    const url = new URL(ours);
    expect(url.searchParams.get('response-content-disposition')).toBe(contentDisposition("plan (final) é's.pdf"));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
  });

  it('a different clock, key or size is a different signature', async () => {
    const a = new URL(await store.uploadUrl({ key: 'pending/org-1/att-1', contentType: 'application/pdf', size: 1234, expiresInSeconds: 900 }));
    const b = new URL(await store.uploadUrl({ key: 'pending/org-1/att-1', contentType: 'application/pdf', size: 1235, expiresInSeconds: 900 }));
    const later = new S3AttachmentStore({ bucketName: 'attachments-bucket', region: 'eu-west-1', credentials, now: () => new Date(at.getTime() + 1000) });
    const c = new URL(await later.uploadUrl({ key: 'pending/org-1/att-1', contentType: 'application/pdf', size: 1234, expiresInSeconds: 900 }));
    const sig = (u: URL) => u.searchParams.get('X-Amz-Signature');
    expect(new Set([sig(a), sig(b), sig(c)]).size).toBe(3);
  });
});

describe('HeadObject and CopyObject, signed, against a local S3 endpoint that verifies SigV4', () => {
  let endpoint: AwsEndpoint;
  const objects = new Map<string, number>([['/attachments-bucket/pending/org-1/att-1', 1234]]);
  let failNext = 0;

  beforeAll(async () => {
    endpoint = await startAwsEndpoint(credentials.secretAccessKey);
    endpoint.respond((req) => {
      if (failNext > 0) {
        failNext--;
        return { status: 503, body: '<Error><Code>SlowDown</Code></Error>' };
      }
      if (req.method === 'HEAD') {
        const size = objects.get(req.path);
        return size === undefined ? { status: 404 } : { status: 200, headers: { 'content-length': String(size) } };
      }
      if (req.method === 'PUT' && req.headers['x-amz-copy-source']) {
        const from = objects.get(`/${decodeURIComponent(String(req.headers['x-amz-copy-source']))}`);
        if (from === undefined) return { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
        objects.set(req.path, from);
        return { status: 200, body: '<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>' };
      }
      return { status: 400 };
    });
  });
  afterAll(() => endpoint.close());

  const store = () => new S3AttachmentStore({ bucketName: 'attachments-bucket', region: 'eu-west-1', credentials, endpoint: endpoint.url, retryBaseMs: 1 });

  it('head answers the size of a stored object, undefined for a missing one, with a valid signature', async () => {
    expect(await store().head('pending/org-1/att-1')).toEqual({ size: 1234 });
    expect(await store().head('pending/org-1/none')).toBeUndefined();
    expect(endpoint.seen.slice(-2).every((r) => r.valid && r.method === 'HEAD' && r.service === 's3' && r.region === 'eu-west-1')).toBe(true);
  });

  it('copy copies server-side, and a missing source is an error', async () => {
    await store().copy('pending/org-1/att-1', 'files/org-1/att-1');
    expect(objects.get('/attachments-bucket/files/org-1/att-1')).toBe(1234);
    expect(endpoint.seen.at(-1)).toMatchObject({ method: 'PUT', valid: true, url: '/attachments-bucket/files/org-1/att-1?x-id=CopyObject' });
    await expect(store().copy('pending/org-1/gone', 'files/org-1/gone')).rejects.toThrow(/NoSuchKey/);
  });

  it('a throttled or failing S3 is retried, and a wrong secret is refused', async () => {
    failNext = 2;
    const before = endpoint.seen.length;
    expect(await store().head('pending/org-1/att-1')).toEqual({ size: 1234 });
    expect(endpoint.seen.length - before).toBe(3);
    // Three attempts at most, as the SDK's standard mode: the third 503 is the answer.
    failNext = 3;
    await expect(store().head('pending/org-1/att-1')).rejects.toThrow(/503/);
    const wrong = new S3AttachmentStore({ bucketName: 'attachments-bucket', region: 'eu-west-1', credentials: { ...credentials, secretAccessKey: 'other' }, endpoint: endpoint.url });
    // 403 is how S3 answers a missing key without s3:ListBucket, so head reads it as "not there"...
    expect(await wrong.head('pending/org-1/att-1')).toBeUndefined();
    expect(endpoint.seen.at(-1)!.valid).toBe(false);
    // ...and a copy is refused outright.
    await expect(wrong.copy('pending/org-1/att-1', 'files/org-1/x')).rejects.toThrow(/S3 CopyObject failed/);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 (before AWS_ENDPOINT_URL), and the region from AWS_REGION, as the SDK does', async () => {
    const saved = { ...process.env };
    try {
      process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
      process.env.AWS_ENDPOINT_URL_S3 = endpoint.url;
      process.env.AWS_REGION = 'eu-central-1';
      expect(await new S3AttachmentStore({ bucketName: 'attachments-bucket', credentials }).head('pending/org-1/att-1')).toEqual({ size: 1234 });
      expect(endpoint.seen.at(-1)).toMatchObject({ valid: true, region: 'eu-central-1', path: '/attachments-bucket/pending/org-1/att-1' });
    } finally {
      process.env = saved;
    }
  });
});
