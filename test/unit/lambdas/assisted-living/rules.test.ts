import { describe, expect, it } from 'vitest';
import { canTransition, isOverdue, occurredTooLate, reportDueBy } from '../../../../lambdas/assisted-living/rules.js';
import { CreateIncidentBody, INCIDENT_CATEGORIES, UpdateIncidentBody } from '../../../../schemas/assisted-living.js';

const AT = '2025-03-01T10:00:00.000Z';

describe('reportDueBy', () => {
  it('is occurredAt + 2 h when critical, whatever the category', () => {
    for (const category of INCIDENT_CATEGORIES) expect(reportDueBy(category, 'critical', AT)).toBe('2025-03-01T12:00:00.000Z');
  });

  it('is occurredAt + 2 h when abuse is suspected, whatever the severity', () => {
    for (const severity of ['low', 'moderate', 'high', 'critical'] as const) {
      expect(reportDueBy('abuse_suspected', severity, AT)).toBe('2025-03-01T12:00:00.000Z');
    }
  });

  it('is occurredAt + 24 h when high, and none for low or moderate', () => {
    expect(reportDueBy('fall', 'high', AT)).toBe('2025-03-02T10:00:00.000Z');
    expect(reportDueBy('fall', 'moderate', AT)).toBeNull();
    expect(reportDueBy('medication_error', 'low', AT)).toBeNull();
  });

  it('crosses midnight and offsets correctly', () => {
    expect(reportDueBy('injury', 'critical', '2025-03-01T23:30:00-05:00')).toBe('2025-03-02T06:30:00.000Z');
  });
});

describe('transitions', () => {
  it.each([
    ['open', 'investigating', true],
    ['open', 'resolved', true],
    ['investigating', 'resolved', true],
    ['open', 'open', true],
    ['investigating', 'investigating', true],
    ['investigating', 'open', false],
    ['resolved', 'open', false],
    ['resolved', 'investigating', false],
    ['resolved', 'resolved', false],
  ] as const)('%s -> %s: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });
});

describe('overdue', () => {
  const due = '2025-03-01T12:00:00.000Z';
  it('is true for an open or investigating incident past its deadline', () => {
    expect(isOverdue({ status: 'open', reportDueBy: due }, new Date('2025-03-01T12:00:00.001Z'))).toBe(true);
    expect(isOverdue({ status: 'investigating', reportDueBy: due }, new Date('2025-03-02T00:00:00Z'))).toBe(true);
  });
  it('is false before the deadline, once resolved, and without a deadline', () => {
    expect(isOverdue({ status: 'open', reportDueBy: due }, new Date(due))).toBe(false);
    expect(isOverdue({ status: 'resolved', reportDueBy: due }, new Date('2025-03-09T00:00:00Z'))).toBe(false);
    expect(isOverdue({ status: 'open', reportDueBy: null }, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('occurredAt in the future', () => {
  const now = new Date(AT);
  it('allows up to 5 minutes of clock skew', () => {
    expect(occurredTooLate('2025-03-01T10:05:00.000Z', now)).toBe(false);
    expect(occurredTooLate('2025-03-01T10:05:00.001Z', now)).toBe(true);
  });
});

describe('incident bodies', () => {
  const valid = { category: 'fall', severity: 'high', details: 'Found on the floor', occurredAt: AT };
  it('accepts a valid report and refuses unknown categories, empty or oversized details, unknown fields', () => {
    expect(CreateIncidentBody.safeParse(valid).success).toBe(true);
    expect(CreateIncidentBody.safeParse({ ...valid, category: 'flood' }).success).toBe(false);
    expect(CreateIncidentBody.safeParse({ ...valid, details: '   ' }).success).toBe(false);
    expect(CreateIncidentBody.safeParse({ ...valid, details: 'x'.repeat(10_001) }).success).toBe(false);
    expect(CreateIncidentBody.safeParse({ ...valid, details: 'x'.repeat(10_000) }).success).toBe(true);
    expect(CreateIncidentBody.safeParse({ ...valid, status: 'resolved' }).success).toBe(false);
    expect(CreateIncidentBody.safeParse({ ...valid, reportedBy: 'me' }).success).toBe(false);
  });

  it('resolving needs a resolution; a resolution needs resolving; a change needs something to change', () => {
    expect(UpdateIncidentBody.safeParse({ version: 1, status: 'resolved' }).success).toBe(false);
    expect(UpdateIncidentBody.safeParse({ version: 1, status: 'resolved', resolution: 'Fixed the rug' }).success).toBe(true);
    expect(UpdateIncidentBody.safeParse({ version: 1, status: 'investigating', resolution: 'x' }).success).toBe(false);
    expect(UpdateIncidentBody.safeParse({ version: 1 }).success).toBe(false);
    expect(UpdateIncidentBody.safeParse({ version: 1, status: 'open' }).success).toBe(false);
    expect(UpdateIncidentBody.safeParse({ version: 2, notifiedParties: ['State ombudsman'] }).success).toBe(true);
  });
});
