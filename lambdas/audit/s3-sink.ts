import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AUDIT_JOURNAL_PREFIX, type AuditJournal, type AuditSink } from '../shared/audit/audit-event.js';

/**
 * The audit bucket. `If-None-Match: *` makes the write conditional: a key that exists (a batch
 * delivered again) answers 412, which means "already stored". Object Lock needs an integrity
 * checksum on PUT; the SDK sends a CRC32 by default.
 */
export class S3AuditSink implements AuditSink {
  constructor(
    protected readonly s3: S3Client,
    protected readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array): Promise<'written' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          // Stored gzipped as-is (Athena reads `.json.gz` by its extension); no Content-Encoding,
          // so a download yields the object exactly as locked.
          ContentType: 'application/gzip',
          IfNoneMatch: '*',
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      return 'written';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (err instanceof Error && err.name === 'PreconditionFailed')) return 'exists';
      throw err;
    }
  }
}

/**
 * The journal bucket (private, KMS, short lifecycle, no Object Lock): the same conditional put,
 * plus the LIST and GET a redelivered batch needs to find earlier plans.
 */
export class S3AuditJournal extends S3AuditSink implements AuditJournal {
  async keysAfter(startAfter: string, limit: number): Promise<string[]> {
    const out = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: AUDIT_JOURNAL_PREFIX, StartAfter: startAfter, MaxKeys: limit }),
    );
    return (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`audit journal object ${key} has no body`);
    return out.Body.transformToByteArray();
  }
}
