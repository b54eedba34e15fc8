import { isDuration } from '../../domain/consent-policy';
import { inspectRetention, RETENTION_RULES, retentionOverrideProblems, type RetentionRule } from '../../domain/audit/retention';
import { RECORD_TYPES } from '../../domain/audit/types';

const rule = (id: string): RetentionRule => {
  const found = RETENTION_RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const ACCESS_LOG = rule('access-log');
const ENDED_CONSENT = rule('ended-consent');
const OFFBOARDED_VENDOR = rule('offboarded-vendor');

describe('RETENTION_RULES', () => {
  it('has unique ids and readable periods, record types and reasons', () => {
    expect(new Set(RETENTION_RULES.map((r) => r.id)).size).toBe(RETENTION_RULES.length);
    for (const r of RETENTION_RULES) {
      expect(isDuration(r.keepFor)).toBe(true);
      expect(RECORD_TYPES).toContain(r.recordType);
      expect(r.reason.length).toBeGreaterThan(40);
    }
  });

  it('keeps access-log entries two years from their time', () => {
    expect(ACCESS_LOG).toMatchObject({ recordType: 'access-log', collection: 'access_log', dateField: 'at', keepFor: 'P2Y' });
    expect(ACCESS_LOG.appliesWhen).toBeUndefined();
  });

  it('keeps ended consents six years after they ended, as proof', () => {
    expect(ENDED_CONSENT).toMatchObject({
      recordType: 'consent',
      collection: 'consents',
      dateField: 'endedAt',
      keepFor: 'P6Y',
      appliesWhen: { field: 'status', in: ['withdrawn', 'expired', 'lapsed'] },
    });
    expect(ENDED_CONSENT.reason).toMatch(/Art\. 7\(1\)/);
  });

  it('keeps offboarded vendors six years', () => {
    expect(OFFBOARDED_VENDOR).toMatchObject({ recordType: 'vendor', collection: 'vendors', keepFor: 'P6Y', appliesWhen: { field: 'status', in: ['offboarded'] } });
  });
});

describe('inspectRetention', () => {
  it('reports a record kept past its period as medium, naming the rule and the end of the period', () => {
    expect(inspectRetention(ACCESS_LOG, { id: 'log_1', at: '2024-03-15T12:00:00.000Z' }, '2026-03-15T12:00:00.001Z')).toEqual([
      {
        check: 'retention',
        rule: 'retention-exceeded',
        severity: 'medium',
        recordType: 'access-log',
        recordIds: ['log_1'],
        recommendation: expect.any(String),
        detail: { rule: 'access-log', keepFor: 'P2Y', keptUntil: '2026-03-15T12:00:00.000Z' },
      },
    ]);
  });

  it.each([
    ['a millisecond before the end', '2026-03-15T11:59:59.999Z', false],
    ['at the end', '2026-03-15T12:00:00.000Z', false],
    ['a millisecond after the end', '2026-03-15T12:00:00.001Z', true],
  ])('a two-year-old entry %s: exceeded %s', (_label, now, exceeded) => {
    expect(inspectRetention(ACCESS_LOG, { id: 'log_1', at: '2024-03-15T12:00:00.000Z' }, now)).toHaveLength(exceeded ? 1 : 0);
  });

  it.each([
    // [rule, at, keptUntil]
    ['access-log', '2024-02-29T10:00:00.000Z', '2026-02-28T10:00:00.000Z'], // 29 February has no match two years on
    ['access-log', '2026-02-28T10:00:00.000Z', '2028-02-28T10:00:00.000Z'], // … and a leap year does not move 28 February
    ['ended-consent', '2024-02-29T00:00:00.000Z', '2030-02-28T00:00:00.000Z'],
    ['ended-consent', '2022-02-28T23:59:59.999Z', '2028-02-28T23:59:59.999Z'],
    ['offboarded-vendor', '2025-12-31T23:00:00.000Z', '2031-12-31T23:00:00.000Z'],
    // An instant with an offset counts in UTC: 23:30 at -01:00 on 31 December is 1 January UTC.
    ['access-log', '2025-12-31T23:30:00.000-01:00', '2028-01-01T00:30:00.000Z'],
  ])('%s from %s is kept until %s', (id, at, keptUntil) => {
    const r = rule(id);
    const [finding] = inspectRetention(r, { id: 'r1', at }, '2099-01-01T00:00:00.000Z');
    expect(finding.detail).toEqual({ rule: id, keepFor: r.keepFor, keptUntil });
  });

  it.each([
    ['P1M', '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    ['P1M', '2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['P3M', '2026-11-30T00:00:00.000Z', '2027-02-28T00:00:00.000Z'],
    ['P90D', '2028-02-01T00:00:00.000Z', '2028-05-01T00:00:00.000Z'],
    ['P1Y6M', '2026-08-31T08:00:00.000Z', '2028-02-29T08:00:00.000Z'],
    ['PT36H', '2026-03-28T12:00:00.000Z', '2026-03-30T00:00:00.000Z'],
  ])('an override of %s counts calendar months and days in UTC (%s → %s)', (keepFor, at, keptUntil) => {
    const [finding] = inspectRetention(ACCESS_LOG, { id: 'log_1', at }, '2099-01-01T00:00:00.000Z', { 'access-log': keepFor });
    expect(finding.detail).toEqual({ rule: 'access-log', keepFor, keptUntil });
  });

  it('applies an override only to its own rule', () => {
    const overrides = { 'ended-consent': 'P1Y' };
    expect(inspectRetention(ACCESS_LOG, { id: 'log_1', at: '2025-01-01T00:00:00.000Z' }, '2026-06-01T00:00:00.000Z', overrides)).toEqual([]);
    expect(inspectRetention(ENDED_CONSENT, { id: 'sub_1:pur_1', at: '2025-01-01T00:00:00.000Z' }, '2026-06-01T00:00:00.000Z', overrides)[0]).toMatchObject({
      recordType: 'consent',
      recordIds: ['sub_1:pur_1'],
      detail: { keepFor: 'P1Y', keptUntil: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('lets an override lengthen a period', () => {
    expect(inspectRetention(ACCESS_LOG, { id: 'log_1', at: '2020-01-01T00:00:00.000Z' }, '2026-03-15T12:00:00.000Z', { 'access-log': 'P10Y' })).toEqual([]);
  });

  it('reports nothing for a record whose period has not started', () => {
    expect(inspectRetention(ENDED_CONSENT, { id: 'sub_1:pur_1', at: undefined }, '2099-01-01T00:00:00.000Z')).toEqual([]);
  });

  it.each(['P0D', 'P-1Y', '2 years', '', 'P1M-29D'])('refuses the override %j', (keepFor) => {
    expect(() => inspectRetention(ACCESS_LOG, { id: 'log_1', at: '2024-01-01T00:00:00.000Z' }, '2026-01-01T00:00:00.000Z', { 'access-log': keepFor })).toThrow(RangeError);
  });

  it('refuses a rule with an unreadable period, even for a record not yet started', () => {
    expect(() => inspectRetention({ ...ACCESS_LOG, keepFor: 'forever' }, { id: 'log_1', at: undefined }, '2026-01-01T00:00:00.000Z')).toThrow(RangeError);
  });

  it.each([
    ['now', '2024-01-01T00:00:00.000Z', 'today'],
    ['the record date', '2024-02-30T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['a record date without an offset', '2024-01-01T00:00:00', '2026-01-01T00:00:00.000Z'],
    ['a bare date', '2024-01-01', '2026-01-01T00:00:00.000Z'],
  ])('throws a RangeError for an unreadable %s', (_label, at, now) => {
    expect(() => inspectRetention(ACCESS_LOG, { id: 'log_1', at }, now)).toThrow(/not an ISO 8601 timestamp/);
  });
});

describe('retentionOverrideProblems', () => {
  it('accepts no overrides, and valid overrides of known rules', () => {
    expect(retentionOverrideProblems({})).toEqual([]);
    expect(retentionOverrideProblems({ 'access-log': 'P1Y', 'ended-consent': 'P5Y', 'offboarded-vendor': 'P18M' })).toEqual([]);
  });

  it('names each unusable override by its rule id', () => {
    expect(retentionOverrideProblems({ 'access-log': 'one year', 'ended-consent': 'P0Y', 'acces-log': 'P1Y' })).toEqual([
      { field: 'access-log', message: expect.stringMatching(/positive ISO 8601 duration/) },
      { field: 'ended-consent', message: expect.stringMatching(/positive ISO 8601 duration/) },
      { field: 'acces-log', message: 'no retention rule is called acces-log; the rules are access-log, ended-consent, offboarded-vendor' },
    ]);
  });
});
