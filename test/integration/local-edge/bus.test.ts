import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE, type CareEvent } from '../../../lambdas/shared/events/care-event.js';
import { careEventFromDetail, createBusPublisher, createLocalBus, matchesPattern, type BusEvent } from '../../../local/bus.js';

const careEvent = (n: number, overrides: Partial<CareEvent> = {}): CareEvent => ({
  id: `e-${n}`,
  orgId: 'org-1',
  patientId: 'p-1',
  recipientId: null,
  type: 'IncidentReported',
  entityType: 'Incident',
  entityId: `i-${n}`,
  at: '2026-11-21T10:00:00.000Z',
  data: { severity: 'high', n },
  ...overrides,
});

const quiet = { error: () => {} };

describe('local bus', () => {
  it('delivers matching events to rule targets in the EventBridge envelope, after putEvents has answered', async () => {
    const bus = createLocalBus({ region: 'eu-west-1', account: '123456789012' });
    const got: BusEvent[] = [];
    bus.addRule({ name: 'care', pattern: { source: [EVENT_SOURCE] }, target: async (e) => void got.push(e) });
    bus.addRule({ name: 'doses-only', pattern: { source: [EVENT_SOURCE], 'detail-type': ['DoseMissed'] }, target: async (e) => void got.push({ ...e, source: 'doses-only' }) });

    const result = await bus.putEvents([{ Source: EVENT_SOURCE, DetailType: 'IncidentReported', Detail: JSON.stringify({ a: 1 }) }]);
    expect(got).toHaveLength(0);
    await bus.drain();

    expect(result).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: got[0]!.id }] });
    expect(got).toEqual([
      {
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'IncidentReported',
        source: EVENT_SOURCE,
        account: '123456789012',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        region: 'eu-west-1',
        resources: [],
        detail: { a: 1 },
      },
    ]);
  });

  it('matches on source and detail-type', () => {
    const e = { source: 'carestack', 'detail-type': 'DoseMissed' };
    expect(matchesPattern({ source: ['carestack'] }, e)).toBe(true);
    expect(matchesPattern({ source: ['other'] }, e)).toBe(false);
    expect(matchesPattern({ 'detail-type': ['DoseMissed', 'DoseDue'] }, e)).toBe(true);
    expect(matchesPattern({ source: ['carestack'], 'detail-type': ['DoseDue'] }, e)).toBe(false);
  });

  it('delivers the entries of one call in order, even when a target is slower for earlier ones', async () => {
    const bus = createLocalBus();
    const order: number[] = [];
    bus.addRule({
      name: 'slow-first',
      pattern: { source: ['s'] },
      target: async (e) => {
        const n = e.detail.n as number;
        await new Promise((r) => setTimeout(r, n === 0 ? 30 : 1));
        order.push(n);
      },
    });
    await bus.putEvents([0, 1, 2, 3].map((n) => ({ Source: 's', DetailType: 'T', Detail: JSON.stringify({ n }) })));
    await bus.drain();
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('retries a failing target, and dead-letters it after the last attempt', async () => {
    const bus = createLocalBus({ maxAttempts: 3, retryDelayMs: 1, logger: quiet });
    let calls = 0;
    bus.addRule({ name: 'flaky', pattern: { source: ['s'] }, target: async () => { calls++; if (calls < 2) throw new Error('transient'); } });
    await bus.putEvents([{ Source: 's', DetailType: 'T', Detail: '{}' }]);
    await bus.drain();
    expect(calls).toBe(2);
    expect(bus.deadLetters).toHaveLength(0);

    let broken = 0;
    bus.addRule({ name: 'broken', pattern: { 'detail-type': ['Broken'] }, target: async () => { broken++; throw new Error('down'); } });
    await bus.putEvents([{ Source: 'x', DetailType: 'Broken', Detail: '{}' }]);
    await bus.drain();
    expect(broken).toBe(3);
    expect(bus.deadLetters).toMatchObject([{ rule: 'broken', event: { 'detail-type': 'Broken' }, error: expect.any(Error) }]);
  });

  it('refuses malformed entries per entry and more than 10 entries per call, as PutEvents does', async () => {
    const bus = createLocalBus();
    const result = await bus.putEvents([
      { Source: 's', DetailType: 'T', Detail: 'not json' },
      { Source: 's', DetailType: 'T', Detail: '{"ok":true}' },
    ]);
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    await expect(bus.putEvents(Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'T', Detail: '{}' })))).rejects.toThrow(/1 to 10/);
    await expect(bus.putEvents([])).rejects.toThrow();
  });

  it('keeps rules of other buses apart', async () => {
    const bus = createLocalBus();
    const got: string[] = [];
    bus.addRule({ name: 'a', pattern: {}, target: async () => void got.push('default') });
    bus.addRule({ name: 'b', pattern: {}, eventBusName: 'audit', target: async () => void got.push('audit') });
    await bus.putEvents([{ Source: 's', DetailType: 'T', Detail: '{}', EventBusName: 'audit' }]);
    await bus.drain();
    expect(got).toEqual(['audit']);
  });
});

describe('createBusPublisher', () => {
  it('puts each CareEvent with the carestack source, its type as detail-type and data as an AWSJSON string', async () => {
    const bus = createLocalBus();
    const got: BusEvent[] = [];
    bus.addRule({ name: 'to-appsync', pattern: { source: [EVENT_SOURCE] }, target: async (e) => void got.push(e) });
    const events = Array.from({ length: 12 }, (_, n) => careEvent(n, n === 11 ? { type: 'DoseMissed', data: null } : {}));

    await createBusPublisher(bus).publish(events);
    await bus.drain();

    expect(got.map((e) => e.detail.id)).toEqual(events.map((e) => e.id));
    expect(got[0]).toMatchObject({ source: 'carestack', 'detail-type': 'IncidentReported' });
    expect(got[0]!.detail).toEqual({ ...events[0], data: '{"severity":"high","n":0}' });
    expect(got[11]).toMatchObject({ 'detail-type': 'DoseMissed', detail: { data: null } });
    expect(careEventFromDetail(got[0]!.detail)).toEqual(events[0]);
  });

  it('throws when the bus refuses an entry', async () => {
    const refusing = { putEvents: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] }) };
    await expect(createBusPublisher(refusing).publish([careEvent(1)])).rejects.toThrow(/refused 1 of 1/);
  });
});
