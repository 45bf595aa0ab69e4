import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors.js';

/** An operation's JSON input or output (Cognito Identity Provider's JSON 1.1 wire format). */
export type Json = Record<string, unknown>;
export type AttributeType = { Name: string; Value: string };

/** One operation: its JSON input to its JSON output, or a thrown CognitoError. */
export type Operation = (input: Json) => Promise<Json>;
export type Operations = Record<string, Operation>;

/** A required string member, refused as Cognito's request validation refuses a missing one. */
export const str = (input: Json, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw invalidParameter(`1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`);
  return value;
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const randomString = (length: number, alphabet = ALNUM): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
