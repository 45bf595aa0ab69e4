import { createHash, randomInt } from 'node:crypto';

/** Crockford's base32 without look-alikes (no I, L, O, U): easy to read out and to type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 12; // 60 bits

/** A new single-use invitation code, shown once and stored only as {@link hashCode}. */
export function newInvitationCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** Codes are compared case-insensitively and without spaces or dashes people add when typing. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const hashCode = (code: string): string => sha256(`invitation-code:${normaliseCode(code)}`);
export const hashEmail = (email: string): string => sha256(`email:${email.trim().toLowerCase()}`);
