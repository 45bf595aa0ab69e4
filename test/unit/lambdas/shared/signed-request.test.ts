import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { AwsJsonService, errorName, escapeUri, resolveEndpoint, SignedRequester, requestTo } from '../../../../lambdas/shared/aws/signed-request.js';
import { awsError, useAwsEndpoint } from '../../../support/aws-endpoint.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SERVICE = { id: 'SCHEDULER', endpointPrefix: 'scheduler' };

describe('resolveEndpoint: the SDK\'s order', () => {
  it('AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the regional endpoint (China under amazonaws.com.cn)', () => {
    expect(resolveEndpoint('SCHEDULER', 'scheduler', 'eu-west-1', {})).toBe('https://scheduler.eu-west-1.amazonaws.com');
    expect(resolveEndpoint('SCHEDULER', 'scheduler', 'cn-north-1', {})).toBe('https://scheduler.cn-north-1.amazonaws.com.cn');
    expect(resolveEndpoint('SCHEDULER', 'scheduler', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1' })).toBe('http://a:1');
    expect(resolveEndpoint('SCHEDULER', 'scheduler', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SCHEDULER: 'http://b:2' })).toBe('http://b:2');
    expect(resolveEndpoint('SCHEDULER', 'scheduler', 'eu-west-1', { AWS_ENDPOINT_URL_S3: 'http://c:3' })).toBe('https://scheduler.eu-west-1.amazonaws.com');
  });

  it('reads AWS_REGION at the first request, not when built (a module may build one at load)', () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const service = new AwsJsonService(SERVICE, { signingName: 'scheduler', credentials });
      expect(() => service.endpoint).toThrow(/AWS_REGION/);
      process.env.AWS_REGION = 'ap-southeast-2';
      expect(service.endpoint).toBe('https://scheduler.ap-southeast-2.amazonaws.com');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});

describe('errorName: the exception name as AWS sends it', () => {
  const h = (headers: Record<string, string> = {}) => new Headers(headers);
  it('from x-amzn-errortype (before the colon), else __type (after the #), code, or an XML Code', () => {
    expect(errorName(409, h({ 'x-amzn-errortype': 'ConflictException:http://internal.amazon.com/coral/com.amazonaws.scheduler/' }), '{}')).toBe('ConflictException');
    expect(errorName(400, h(), '{"__type":"com.amazonaws.cognito#UsernameExistsException","message":"x"}')).toBe('UsernameExistsException');
    expect(errorName(400, h(), '{"code":"ValidationException","message":"x"}')).toBe('ValidationException');
    expect(errorName(503, h(), '<Error><Code>SlowDown</Code></Error>')).toBe('SlowDown');
    expect(errorName(500, h(), 'gateway timeout')).toBeUndefined();
    expect(errorName(200, h({ 'x-amzn-errortype': 'X' }), '')).toBeUndefined();
  });
});

describe('SignedRequester against an endpoint that verifies SigV4', () => {
  const endpoint = useAwsEndpoint(credentials.secretAccessKey, { doubleEscapePath: true });
  const service = () => new AwsJsonService(SERVICE, { signingName: 'scheduler', region: 'eu-west-1', credentials, endpoint: endpoint.url, retryBaseMs: 1 });

  it('signs a path that needs escaping as AWS checks it (each segment escaped twice in the canonical URI), as the SDK does', async () => {
    endpoint.respond(() => ({ status: 200, body: {} }));
    await service().restJson('DELETE', `/schedules/${escapeUri("a b(1)'s")}`, { groupName: 'g h' });
    await new SchedulerClient({ region: 'eu-west-1', credentials, endpoint: endpoint.url }).send(new DeleteScheduleCommand({ Name: "a b(1)'s", GroupName: 'g h' }));
    const [ours, sdk] = endpoint.seen;
    expect(ours!.valid).toBe(true);
    expect(sdk!.valid).toBe(true);
    expect(ours!.url.split('?')[0]).toBe(sdk!.url.split('?')[0]);
  });

  it('retries a 429 and a 503, at most three attempts, then throws the last error with its name', async () => {
    let n = 0;
    endpoint.respond(() => (++n === 1 ? { status: 429, body: { message: 'slow down' } } : awsError(503, 'ServiceUnavailableException', 'down')));
    const err = await service().restJson('GET', '/schedules').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServiceUnavailableException', message: 'down', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 3, requestId: 'req-3' } });
    expect(endpoint.seen).toHaveLength(3);
  });

  it('names an error without a name Unknown, keeping its status', async () => {
    endpoint.respond(() => ({ status: 404, body: 'no such route' }));
    await expect(service().restJson('GET', '/nowhere')).rejects.toMatchObject({ name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 404, attempts: 1 } });
  });

  it('sends awsJson1.1 with X-Amz-Target and its content type, and answers the parsed body', async () => {
    endpoint.respond((r) => ({ status: 200, body: { echoed: JSON.parse(r.body) as unknown } }));
    const out = await service().awsJson11('Svc_2020', 'DoIt', { A: 1 });
    expect(out).toEqual({ echoed: { A: 1 } });
    expect(endpoint.seen[0]).toMatchObject({ method: 'POST', path: '/', valid: true, headers: { 'x-amz-target': 'Svc_2020.DoIt', 'content-type': 'application/x-amz-json-1.1' } });
  });

  it('retries a refused connection, and throws after the third attempt', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let attempts = 0;
    const counting: typeof fetch = (input, init) => (attempts++, fetch(input, init));
    const requester = new SignedRequester({ signingName: 'scheduler', region: 'eu-west-1', credentials, fetch: counting, retryBaseMs: 1 });
    await expect(requester.send(requestTo(`http://127.0.0.1:${port}`, { method: 'GET', path: '/' }))).rejects.toThrow();
    expect(attempts).toBe(3);
  });
});
