/**
 * Where attachment files live. The service hands out URLs and checks uploads through this port and
 * never sees S3: on AWS it is `S3AttachmentStore` (presigned URLs), locally `LocalAttachmentStore`
 * (local/attachment-files.ts: files under `<dataDir>/attachments/`, HMAC-signed URLs served by
 * the local gateway). Both honour the same contract: the upload URL accepts exactly the declared
 * content type and size, URLs expire, and a file is readable only through a URL we signed.
 */
export interface AttachmentStore {
  /** A URL to PUT the file to, bound to its Content-Type and Content-Length. */
  uploadUrl(request: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<string>;
  /** A short-lived URL to GET the file, served as an attachment named `fileName`. */
  downloadUrl(request: { key: string; fileName: string; contentType: string; expiresInSeconds: number }): Promise<string>;
  /** What is stored under `key`, or undefined when nothing is (not uploaded yet, or expired). */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Copies a stored object to another key of the same store (server-side on S3). */
  copy(fromKey: string, toKey: string): Promise<void>;
}

/**
 * Deletes attachment files for good: the messaging retention consumer calls it when DynamoDB TTL
 * has removed an attachment's item (docs/retention.md). On AWS every version of the object goes
 * (the bucket is versioned; a delete marker alone would keep the bytes); locally the file.
 * Deleting what is not there is not an error (stream records are delivered at least once).
 */
export interface AttachmentFileDeleter {
  delete(key: string): Promise<void>;
}
