import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../lambdas/shared/logger.js';

const lines = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);

describe('the JSON logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one JSON line in Powertools\' shape, with the appended keys until reset', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const logger = createLogger('svc', { level: 'INFO' });
    logger.appendKeys({ requestId: 'r-1', orgId: 'o-1' });
    logger.info('request', { route: 'GET /x' });
    logger.resetKeys();
    logger.info('after');
    const [first, second] = lines(out);
    expect(first).toMatchObject({ level: 'INFO', message: 'request', service: 'svc', requestId: 'r-1', orgId: 'o-1', route: 'GET /x' });
    expect(Date.parse(String(first!.timestamp))).not.toBeNaN();
    expect(second).not.toHaveProperty('requestId');
  });

  it('writes errors with name, message and stack (not {}), warnings and errors to stderr, and honours the level', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logger = createLogger('svc', { level: 'WARN' });
    logger.info('dropped');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    logger.error('failed', { error: new TypeError('bad', { cause: new Error('root') }), cyclic });
    expect(out).not.toHaveBeenCalled();
    const [line] = lines(err);
    expect(line).toMatchObject({ level: 'ERROR', error: { name: 'TypeError', message: 'bad', cause: { name: 'Error', message: 'root' } }, cyclic: { a: 1, self: '[Circular]' } });
    expect(String((line!.error as { stack: string }).stack)).toContain('TypeError: bad');
    createLogger('svc', { level: 'SILENT' }).error('nothing');
    expect(err).toHaveBeenCalledTimes(1);
  });
});
