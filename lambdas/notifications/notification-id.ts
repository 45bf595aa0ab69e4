import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the notification of one source event for one recipient: a ULID whose time part is the
 * event's time (so the inbox sorts by when things happened) and whose 80-bit random part is a hash
 * of (event id, recipient). A redelivered event yields the same id, so the `attribute_not_exists`
 * put of the fan-out creates nothing the second time.
 */
export function notificationId(eventId: string, recipientId: string, at: string): string {
  const time = Date.parse(at);
  const digest = createHash('sha256').update(`${eventId}\n${recipientId}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)]! + random;
    bits >>= 5n;
  }
  return encodeTime(Number.isFinite(time) ? time : 0, 10) + random;
}
