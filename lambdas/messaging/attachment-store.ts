export type { AttachmentFileDeleter, AttachmentStore } from '../shared/ports/attachment-store.js';

/** `attachment; filename=...` with a plain-ASCII fallback and the RFC 5987 UTF-8 form. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
