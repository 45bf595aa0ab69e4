import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3AuditJournal, S3AuditSink } from '../../../../lambdas/audit/s3-sink.js';

/** What the audit function asks of S3 (the requests; S3 itself is AWS's). */
const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

describe('S3AuditSink', () => {
  it('puts conditionally (If-None-Match: *) with a checksum, as Object Lock needs', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(new S3AuditSink(new S3Client({}), 'trail').put('audit/k.json.gz', new Uint8Array([1]))).resolves.toBe('written');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'trail',
      Key: 'audit/k.json.gz',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'CRC32',
    });
  });

  it('answers exists when the key is taken (412)', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'At least one of the pre-conditions you specified did not hold' }),
    );
    await expect(new S3AuditSink(new S3Client({}), 'trail').put('audit/k.json.gz', new Uint8Array([1]))).resolves.toBe('exists');
  });

  it('lets any other failure through, so the batch reports it', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'slow down' }));
    await expect(new S3AuditSink(new S3Client({}), 'trail').put('audit/k.json.gz', new Uint8Array([1]))).rejects.toThrow('slow down');
  });
});

describe('S3AuditJournal', () => {
  it('lists only the journal prefix, after the given key, one page', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'audit-journal/b' }, { Key: 'audit-journal/c' }] });
    const keys = await new S3AuditJournal(new S3Client({}), 'plans').keysAfter('audit-journal/a', 1000);
    expect(keys).toEqual(['audit-journal/b', 'audit-journal/c']);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({
      Bucket: 'plans',
      Prefix: 'audit-journal/',
      StartAfter: 'audit-journal/a',
      MaxKeys: 1000,
    });
  });

  it('puts plans in its own bucket and reads them back', async () => {
    s3.on(PutObjectCommand).resolves({});
    // The SDK's streaming body, reduced to the one method the journal calls.
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('plan')) } as never });
    const journal = new S3AuditJournal(new S3Client({}), 'plans');
    await journal.put('audit-journal/x', new Uint8Array([1]));
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'plans', IfNoneMatch: '*' });
    expect(Buffer.from(await journal.get('audit-journal/x')).toString()).toBe('plan');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'plans', Key: 'audit-journal/x' });
  });
});
