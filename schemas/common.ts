import * as z from 'zod';

/**
 * Ids are opaque to clients, but they end up inside keys (`ORG#<org>#PAT#<id>`), so a path id may
 * only hold characters that can never be a key separator.
 */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (letters, digits, - and _)');

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

/** An IANA time zone name that this runtime knows (e.g. `America/New_York`). */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz.includes('/') || tz === 'UTC';
    } catch {
      return false;
    }
  }, 'must be an IANA time zone name');

/** Text a person typed: trimmed, not empty, bounded, no control characters. */
export const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'must not contain control characters');

export const PhoneNumber = z.string().regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number');

/** `?limit=&cursor=` of every list (API.md, "Lists"). */
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `?cursor=` for the next page; null on the last') });

/** Fields every entity carries (API.md, "Conventions"). */
export const EntityMeta = {
  id: z.string().describe('Opaque id'),
  version: z.number().int().min(1).describe('Starts at 1 and grows with each change; PATCH sends back the version it read'),
  createdAt: IsoDateTime.describe('ISO 8601, UTC'),
  updatedAt: IsoDateTime.describe('ISO 8601, UTC'),
};

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** `version` the client last read, on every PATCH. */
export const Version = z.number().int().min(1);
