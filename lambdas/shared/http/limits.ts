/**
 * Request limits of the REST contract, shared by the functions (middleware.ts) and the local
 * gateway. No imports: the local gateway reads it without loading middy or the handlers.
 */

/** API.md: request bodies over 256 KB get 413 (API Gateway's own limit, 10 MB, is not the contract's). */
export const MAX_BODY_BYTES = 256 * 1024;
