import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition, type AttachmentStore } from './attachment-store.js';

/**
 * Attachments in the private, KMS-encrypted S3 bucket, reached by presigned URLs.
 *
 * The upload URL signs `content-type` and `content-length` (the presigner leaves Content-Type
 * unsigned unless asked), so S3 refuses a PUT of another type or size with 403. The client given
 * here must not add flexible checksums to requests (`requestChecksumCalculation: 'WHEN_REQUIRED'`):
 * a checksum of the empty body would be signed into the URL and no real upload would match it.
 */
export class S3AttachmentStore implements AttachmentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  uploadUrl(request: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<string> {
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucketName, Key: request.key, ContentType: request.contentType, ContentLength: request.size }),
      { expiresIn: request.expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
    );
  }

  downloadUrl(request: { key: string; fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucketName,
        Key: request.key,
        ResponseContentType: request.contentType,
        ResponseContentDisposition: contentDisposition(request.fileName),
      }),
      { expiresIn: request.expiresInSeconds },
    );
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: key }));
      return { size: Number(out.ContentLength ?? 0) };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404.
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404 || e.$metadata?.httpStatusCode === 403) {
        return undefined;
      }
      throw err;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucketName,
        Key: toKey,
        CopySource: `${this.bucketName}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
  }
}
