import * as z from 'zod/mini';
// zod/mini has no messages of its own: English, as classic zod gives them, before any schema is used.
import './zod-locale.js';

/**
 * Ids are opaque to clients, but they end up inside keys (`ORG#<org>#PAT#<id>`), so a path id may
 * only hold characters that can never be a key separator.
 */
export const Id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (letters, digits, - and _)'));

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

/** An IANA time zone name that this runtime knows (e.g. `America/New_York`). */
export const TimeZone = z.string().check(
  z.maxLength(64),
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz.includes('/') || tz === 'UTC';
    } catch {
      return false;
    }
  }, 'must be an IANA time zone name'),
);

/** Text a person typed: trimmed, not empty, bounded, no control characters. */
export const Text = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'must not contain control characters'),
    );

export const PhoneNumber = z.string().check(z.regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number'));

/** `?limit=&cursor=` of every list (API.md, "Lists"). */
export const ListQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListOf = <T extends z.core.$ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()).check(z.describe('Pass as `?cursor=` for the next page; null on the last')) });

/** Fields every entity carries (API.md, "Conventions"). */
export const EntityMeta = {
  id: z.string().check(z.describe('Opaque id')),
  version: z.number().check(z.int(), z.gte(1), z.describe('Starts at 1 and grows with each change; PATCH sends back the version it read')),
  createdAt: IsoDateTime.check(z.describe('ISO 8601, UTC')),
  updatedAt: IsoDateTime.check(z.describe('ISO 8601, UTC')),
};

/**
 * Every error code the REST API answers with (API.md, "Conventions"): the functions' (AppError
 * subclasses), API Gateway's own (`bad_request` for its other 4xx) and the local gateway's
 * (`method_not_allowed`). Clients switch on these.
 */
export const ErrorCode = z.enum([
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'version_conflict',
  'invalid_transition',
  'payload_too_large',
  'idempotency_key_reused',
  'rate_limited',
  'bad_request',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The contract's `error` object, and beside it the same message at the top level, where AWS
 * clients (Amplify's REST client among them) read it; the code is also in the `x-amzn-ErrorType`
 * header.
 */
export const ErrorBody = z.object({
  message: z.string().check(z.describe('The same text as error.message, where AWS clients read it')),
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
});

/** `version` the client last read, on every PATCH. */
export const Version = z.number().check(z.int(), z.gte(1));

/**
 * A person to contact (a patient's, a provider's). Here, below the domains' schema modules, so a
 * domain that names one does not load identity's schemas.
 */
export const Contact = z.strictObject({
  name: Text(200),
  relationship: z.optional(Text(100)),
  phoneNumber: z.optional(PhoneNumber),
  email: z.optional(z.email().check(z.maxLength(254))),
});

/** `/patients/{patientId}/...` routes' path parameters, for domains that need nothing more. */
export const PatientParams = z.strictObject({ patientId: Id });
