/**
 * The local gateway's per-client throttling: token buckets keyed by the token's subject or the
 * source IP, as API Gateway's stage throttling answers with 429 on AWS.
 */

export interface ThrottleOptions {
  /** Steady-state requests per second per client. */
  readonly rateLimit: number;
  /** Bucket size: requests a client may make at once. */
  readonly burstLimit: number;
}

/**
 * Who a request counts against: the token's subject (read without verifying: a forged token only
 * spends its own bucket, and is refused with 401 anyway), else the source IP.
 */
export function clientKey(token: string | undefined, sourceIp: string): string {
  const payload = token?.split('.')[1];
  if (payload) {
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && sub) return `sub:${sub}`;
    } catch {
      // not a JWT: counted by address
    }
  }
  return `ip:${sourceIp}`;
}

/** Token buckets per client: `burstLimit` tokens, refilled at `rateLimit` per second. */
export function createThrottle(limits: ThrottleOptions, now: () => number = Date.now) {
  if (!(limits.rateLimit > 0) || !(limits.burstLimit >= 1)) {
    throw new Error(`throttle: rateLimit must be > 0 and burstLimit >= 1; got ${JSON.stringify(limits)}`);
  }
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client: string): boolean {
      const t = now();
      const bucket = buckets.get(client) ?? { tokens: limits.burstLimit, at: t };
      bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + ((t - bucket.at) / 1000) * limits.rateLimit);
      bucket.at = t;
      buckets.set(client, bucket);
      if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value!); // bounded memory
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
