import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../local/clock.js';
import { createLocalScheduler } from '../../../local/scheduler.js';
import type { FiredPayload } from '../../../lambdas/shared/scheduling/scheduler.js';

const fixed = (iso: string) => ({ now: () => new Date(iso) });

describe('local scheduler on the virtual clock', () => {
  it('fires recurring and one-time schedules in time order, including ones created by a fire', async () => {
    const clock = createVirtualClock({ base: fixed('2026-03-07T00:00:00Z') });
    const scheduler = createLocalScheduler({ clock });
    const seen: Array<{ p: FiredPayload; now: string }> = [];
    scheduler.setTarget(async (p) => {
      seen.push({ p, now: clock.now().toISOString() });
      if (p.kind === 'slot') await scheduler.putOneTime({ name: `check-${p.scheduledTime}`, at: new Date(Date.parse(p.scheduledTime) + 3_600_000).toISOString(), payload: { kind: 'check' } });
    });
    await scheduler.putRecurring({ name: 'daily', cron: { hour: 8, minute: 0 }, timezone: 'America/New_York', startDate: '2026-03-07', payload: { kind: 'slot' } });
    const fired = await scheduler.advanceTo(new Date('2026-03-09T00:00:00Z'));
    expect(fired.map((f) => `${f.kind}@${f.scheduledTime}`)).toEqual([
      'slot@2026-03-07T13:00:00Z', 'check@2026-03-07T14:00:00Z', 'slot@2026-03-08T12:00:00Z', 'check@2026-03-08T13:00:00Z',
    ]);
    // The handler sees "now" as the fire time, and the payload carries the schedule's name.
    expect(seen[0]).toMatchObject({ now: '2026-03-07T13:00:00.000Z', p: { kind: 'slot', scheduleName: 'daily', scheduledTime: '2026-03-07T13:00:00Z' } });
    expect(clock.now().toISOString()).toBe('2026-03-09T00:00:00.000Z');
    // One-time schedules are gone after running; the recurring one stays.
    expect(scheduler.list()).toEqual([{ name: 'daily', type: 'recurring', kind: 'slot' }]);
    // Nothing fires twice when time moves on without reaching a new slot.
    expect(await scheduler.advanceTo(new Date('2026-03-09T01:00:00Z'))).toEqual([]);
  });

  it('skips a skipped local time and fires a repeated one once', async () => {
    const clock = createVirtualClock({ base: fixed('2026-03-07T00:00:00Z') });
    const scheduler = createLocalScheduler({ clock });
    scheduler.setTarget(async () => undefined);
    await scheduler.putRecurring({ name: 'early', cron: { hour: 2, minute: 30 }, timezone: 'America/New_York', startDate: '2026-01-01', payload: { kind: 'a' } });
    await scheduler.putRecurring({ name: 'late', cron: { hour: 1, minute: 30 }, timezone: 'America/New_York', startDate: '2026-10-31', endDate: '2026-11-01', payload: { kind: 'b' } });
    const march = await scheduler.advanceTo(new Date('2026-03-10T00:00:00Z'));
    expect(march.filter((f) => f.kind === 'a').map((f) => f.scheduledTime)).toEqual(['2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z']);
    const november = await scheduler.advanceTo(new Date('2026-11-03T00:00:00Z'));
    expect(november.filter((f) => f.kind === 'b').map((f) => f.scheduledTime)).toEqual(['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z']);
  });

  it('never moves the clock backwards, deletes by name, reports a failing target', async () => {
    const clock = createVirtualClock({ base: fixed('2026-01-01T00:00:00Z') });
    const scheduler = createLocalScheduler({ clock, logger: { error: () => undefined } });
    scheduler.setTarget(async () => {
      throw new Error('boom');
    });
    await scheduler.putOneTime({ name: 'x', at: '2026-01-01T01:00:00Z', payload: { kind: 'x' } });
    await scheduler.putOneTime({ name: 'y', at: '2026-01-01T02:00:00Z', payload: { kind: 'y' } });
    await scheduler.delete('y');
    await scheduler.delete('never-existed');
    expect(await scheduler.advanceTo(new Date('2026-01-02T00:00:00Z'))).toEqual([{ name: 'x', kind: 'x', scheduledTime: '2026-01-01T01:00:00Z', error: 'boom' }]);
    await clock.advanceTo(new Date('2025-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('keeps definitions and the clock offset under the data dir', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sched-'));
    try {
      const files = { clock: path.join(dir, 'clock.json'), schedules: path.join(dir, 'schedules.json') };
      const clock = createVirtualClock({ base: fixed('2026-01-01T00:00:00Z'), file: files.clock });
      const first = createLocalScheduler({ clock, file: files.schedules });
      await first.putRecurring({ name: 'r', cron: { hour: 9, minute: 0 }, timezone: 'UTC', startDate: '2026-01-01', payload: { kind: 'r' } });
      first.setTarget(async () => undefined);
      await first.advanceTo(new Date('2026-01-01T10:00:00Z'));
      await first.stop();

      const again = createVirtualClock({ base: fixed('2026-01-01T00:00:00Z'), file: files.clock });
      expect(again.now().toISOString()).toBe('2026-01-01T10:00:00.000Z');
      const second = createLocalScheduler({ clock: again, file: files.schedules });
      const fired: string[] = [];
      second.setTarget(async (p) => void fired.push(p.scheduledTime));
      await second.advanceTo(new Date('2026-01-02T10:00:00Z'));
      expect(fired).toEqual(['2026-01-02T09:00:00Z']); // the 01-01 fire is not repeated
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
