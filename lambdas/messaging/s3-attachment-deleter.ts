import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AttachmentFileDeleter } from './attachment-store.js';

/**
 * Deletes an attachment object with every version of it. The bucket is versioned, so a plain
 * DeleteObject would only add a delete marker and keep the bytes for the noncurrent-version
 * lifecycle (30 days); retention promises they are gone within 48 hours (docs/retention.md).
 * Needs s3:ListBucketVersions (on the key as prefix) and s3:DeleteObjectVersion.
 */
export class S3AttachmentDeleter implements AttachmentFileDeleter {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  async delete(key: string): Promise<void> {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectVersionsCommand({ Bucket: this.bucketName, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      );
      const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
        .filter((v) => v.Key === key && v.VersionId)
        .map((v) => ({ Key: key, VersionId: v.VersionId! }));
      if (versions.length) {
        const out = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucketName, Delete: { Objects: versions, Quiet: true } }));
        if (out.Errors?.length) throw new Error(`Could not delete ${out.Errors.length} version(s) of an attachment: ${out.Errors[0]?.Code ?? 'unknown'}`);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }
}
