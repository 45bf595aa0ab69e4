import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, idempotencyRequest } from '../../../../lambdas/shared/data/idempotency.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('writes scalars as JSON, and undefined as null', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('tells apart values that differ only in type', () => {
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
  });
});

describe('idempotencyRequest', () => {
  it('hashes the key, and the route with the canonical body', () => {
    const req = idempotencyRequest('key-1', 'POST /patients', { b: 2, a: 1 });
    expect(req).toEqual({ keyHash: sha('key-1'), requestHash: sha('POST /patients\n{"a":1,"b":2}') });
  });

  it('gives the same request hash for the same body in any key order', () => {
    const a = idempotencyRequest('k', 'POST /patients', { displayName: 'Ada', medicalRecordNumber: 'M1' });
    const b = idempotencyRequest('k', 'POST /patients', { medicalRecordNumber: 'M1', displayName: 'Ada' });
    expect(a).toEqual(b);
  });

  it('gives another request hash for another body or another route', () => {
    const base = idempotencyRequest('k', 'POST /patients', { displayName: 'Ada' });
    expect(idempotencyRequest('k', 'POST /patients', { displayName: 'Bob' }).requestHash).not.toBe(base.requestHash);
    expect(idempotencyRequest('k', 'POST /users', { displayName: 'Ada' }).requestHash).not.toBe(base.requestHash);
    expect(idempotencyRequest('k2', 'POST /patients', { displayName: 'Ada' }).keyHash).not.toBe(base.keyHash);
  });
});
