import { EEA_COUNTRIES } from '../../domain/countries';
import { isDuration, policyProblems, resolvePolicy, scheduleFor, type ConsentType, type RenewalPolicy } from '../../domain/consent-policy';

const S = 1000;
const plusMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

describe('isDuration', () => {
  it.each(['P13M', 'P2Y', 'P6M', 'P30D', 'P1W', 'PT30S', 'PT0.5S', 'P1Y2M3DT4H5M6S', 'P0Y1M', 'PT24H'])('accepts %s', (value) => {
    expect(isDuration(value)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a bare P', 'P'],
    ['zero days', 'P0D'],
    ['zero seconds', 'PT0S'],
    ['a negative component', 'P-1M'],
    ['a negative duration', '-P1M'],
    ['mixed signs that add up to a positive length', 'P1M-29D'],
    ['no designator', '13M'],
    ['no unit', 'P13'],
    ['prose', '13 months'],
    ['a time unit without T', 'P30S'],
    ['trailing blank', 'P13M '],
  ])('refuses %s (%j)', (_why, value) => {
    expect(isDuration(value)).toBe(false);
  });
});

describe('scheduleFor', () => {
  const expiry = (grantedAt: string, validFor: string) => scheduleFor(grantedAt, { jurisdiction: 'default', validFor }).expiresAt;

  describe('calendar months: a day that does not exist in the target month is that month’s last day', () => {
    it.each([
      ['2026-01-31T00:00:00.000Z', 'P1M', '2026-02-28T00:00:00.000Z'],
      ['2024-01-31T00:00:00.000Z', 'P1M', '2024-02-29T00:00:00.000Z'],
      ['2026-01-30T00:00:00.000Z', 'P1M', '2026-02-28T00:00:00.000Z'],
      ['2026-01-28T00:00:00.000Z', 'P1M', '2026-02-28T00:00:00.000Z'],
      ['2026-03-31T00:00:00.000Z', 'P1M', '2026-04-30T00:00:00.000Z'],
      ['2026-02-28T00:00:00.000Z', 'P1M', '2026-03-28T00:00:00.000Z'],
      ['2024-02-29T12:00:00.000Z', 'P1Y', '2025-02-28T12:00:00.000Z'],
      ['2024-02-29T12:00:00.000Z', 'P4Y', '2028-02-29T12:00:00.000Z'],
      ['2024-02-29T12:00:00.000Z', 'P12M', '2025-02-28T12:00:00.000Z'],
      ['2025-12-31T09:30:00.000Z', 'P13M', '2027-01-31T09:30:00.000Z'],
      ['2025-01-31T09:30:00.000Z', 'P13M', '2026-02-28T09:30:00.000Z'],
      ['2023-01-31T09:30:00.000Z', 'P13M', '2024-02-29T09:30:00.000Z'],
      ['2025-11-30T09:30:00.000Z', 'P13M', '2026-12-30T09:30:00.000Z'],
      ['2026-03-15T10:00:00.000Z', 'P2Y', '2028-03-15T10:00:00.000Z'],
      ['2024-02-29T10:00:00.000Z', 'P2Y', '2026-02-28T10:00:00.000Z'],
      ['2026-03-15T10:00:00.000Z', 'P6M', '2026-09-15T10:00:00.000Z'],
      ['2026-03-31T10:00:00.000Z', 'P6M', '2026-09-30T10:00:00.000Z'],
      ['2026-08-31T10:00:00.000Z', 'P6M', '2027-02-28T10:00:00.000Z'],
      ['2027-08-31T10:00:00.000Z', 'P6M', '2028-02-29T10:00:00.000Z'],
      ['2026-01-01T00:00:00.000Z', 'P30D', '2026-01-31T00:00:00.000Z'],
      ['2026-02-01T00:00:00.000Z', 'P30D', '2026-03-03T00:00:00.000Z'],
      ['2026-12-29T00:00:00.000Z', 'P1W', '2027-01-05T00:00:00.000Z'],
      ['2026-01-31T18:00:00.000Z', 'P1MT12H', '2026-03-01T06:00:00.000Z'],
      ['2026-12-31T23:59:59.999Z', 'PT0.001S', '2027-01-01T00:00:00.000Z'],
    ])('%s + %s → %s', (grantedAt, validFor, expected) => {
      expect(expiry(grantedAt, validFor)).toBe(expected);
    });
  });

  it.each([
    ['2026-01-31T23:59:59.999Z', '2026-02-28T23:59:59.999Z'],
    ['2026-01-31T00:00:00.001Z', '2026-02-28T00:00:00.001Z'],
    ['2026-01-15T13:45:10.250Z', '2026-02-15T13:45:10.250Z'],
  ])('keeps the UTC time of day to the millisecond: %s + P1M → %s', (grantedAt, expected) => {
    expect(expiry(grantedAt, 'P1M')).toBe(expected);
  });

  it.each([
    ['no milliseconds', '2026-01-31T10:00:00Z', '2026-02-28T10:00:00.000Z'],
    ['a +01:00 offset (the UTC instant is 31 January 09:00)', '2026-01-31T10:00:00+01:00', '2026-02-28T09:00:00.000Z'],
    ['a -05:00 offset that moves the grant into February in UTC', '2026-01-31T23:30:00-05:00', '2026-03-01T04:30:00.000Z'],
    ['a date only (midnight UTC)', '2026-01-31', '2026-02-28T00:00:00.000Z'],
  ])('reads a grant time with %s and answers in UTC with milliseconds', (_what, grantedAt, expected) => {
    expect(expiry(grantedAt, 'P1M')).toBe(expected);
  });

  describe('DST is irrelevant: arithmetic is in UTC', () => {
    // Europe: summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
    it.each([
      ['just before the spring change', '2026-03-29T00:59:59.000Z', 'P1D', '2026-03-30T00:59:59.000Z'],
      ['just after the spring change', '2026-03-29T01:00:01.000Z', 'P1D', '2026-03-30T01:00:01.000Z'],
      ['the day before the spring change', '2026-03-28T10:00:00.000Z', 'P1D', '2026-03-29T10:00:00.000Z'],
      ['just before the autumn change', '2026-10-25T00:59:59.000Z', 'P1D', '2026-10-26T00:59:59.000Z'],
      ['just after the autumn change', '2026-10-25T01:00:01.000Z', 'P1D', '2026-10-26T01:00:01.000Z'],
      ['winter into summer', '2026-03-15T08:00:00.000Z', 'P1M', '2026-04-15T08:00:00.000Z'],
      ['summer into winter', '2026-10-15T08:00:00.000Z', 'P1M', '2026-11-15T08:00:00.000Z'],
      ['across both changes', '2026-03-28T23:30:00.000Z', 'P13M', '2027-04-28T23:30:00.000Z'],
      ['from Berlin local time, just before the spring change', '2026-03-29T01:59:00+01:00', 'P1D', '2026-03-30T00:59:00.000Z'],
      ['from Berlin local time, just after the spring change', '2026-03-29T03:01:00+02:00', 'P1D', '2026-03-30T01:01:00.000Z'],
    ])('%s: %s + %s → %s', (_when, grantedAt, validFor, expected) => {
      expect(expiry(grantedAt, validFor)).toBe(expected);
    });

    it.each(['2026-03-28T12:00:00.000Z', '2026-03-29T00:30:00.000Z', '2026-10-24T12:00:00.000Z', '2026-10-25T00:30:00.000Z'])(
      'P1D from %s is exactly 24 hours',
      (grantedAt) => {
        expect(Date.parse(expiry(grantedAt, 'P1D') as string) - Date.parse(grantedAt)).toBe(86_400 * S);
      },
    );
  });

  describe('renewal and reminders', () => {
    const t0 = '2026-01-01T00:00:00.000Z';
    const at = (seconds: number) => plusMs(t0, seconds * S);

    it.each([
      ['2 reminders every PT5S after a PT10S window: the second would fall on expiry and is dropped', 'PT10S', { count: 2, every: 'PT5S' }, 20, [25]],
      ['2 reminders every PT5S after a PT15S window', 'PT15S', { count: 2, every: 'PT5S' }, 15, [20, 25]],
      ['5 reminders every PT5S after a PT15S window: only those before expiry', 'PT15S', { count: 5, every: 'PT5S' }, 15, [20, 25]],
      ['3 reminders every PT7S after a PT25S window', 'PT25S', { count: 3, every: 'PT7S' }, 5, [12, 19, 26]],
      ['a reminder interval longer than the window: none', 'PT10S', { count: 3, every: 'PT10S' }, 20, []],
      ['no reminders', 'PT10S', { count: 0, every: 'PT5S' }, 20, []],
      ['a window as long as the consent: renewal at grant', 'PT30S', { count: 2, every: 'PT10S' }, 0, [10, 20]],
      ['a window longer than the consent: renewal at grant', 'PT1M', { count: 9, every: 'PT10S' }, 0, [10, 20]],
    ])('%s', (_what, renewBefore, reminders, renewalSeconds, reminderSeconds) => {
      expect(scheduleFor(t0, { jurisdiction: 'default', validFor: 'PT30S', renewBefore, reminders })).toEqual({
        expiresAt: at(30),
        renewalAt: at(renewalSeconds),
        reminderAts: reminderSeconds.map(at),
      });
    });

    it('schedules no renewal and no reminders without renewBefore', () => {
      expect(scheduleFor(t0, { jurisdiction: 'default', validFor: 'PT30S', reminders: { count: 2, every: 'PT5S' } })).toEqual({ expiresAt: at(30), renewalAt: null, reminderAts: [] });
    });

    it('counts the renewal window back from the clamped expiry, in calendar months', () => {
      // 31 December + P2M = 28 February; one month before that is 28 January, not 31 January.
      expect(scheduleFor('2025-12-31T10:00:00.000Z', { jurisdiction: 'default', validFor: 'P2M', renewBefore: 'P1M' })).toEqual({
        expiresAt: '2026-02-28T10:00:00.000Z',
        renewalAt: '2026-01-28T10:00:00.000Z',
        reminderAts: [],
      });
      expect(scheduleFor('2026-01-15T10:00:00.000Z', { jurisdiction: 'default', validFor: 'P2M', renewBefore: 'P1M' }).renewalAt).toBe('2026-02-15T10:00:00.000Z');
    });

    it('opens the renewal at grant time when the window reaches back before the grant', () => {
      // 31 January + P1M = 28 February; minus P1M = 28 January, three days before the grant.
      expect(scheduleFor('2026-01-31T10:00:00.000Z', { jurisdiction: 'default', validFor: 'P1M', renewBefore: 'P1M' }).renewalAt).toBe('2026-01-31T10:00:00.000Z');
    });

    it('schedules a CNIL-style renewal a month ahead with weekly reminders', () => {
      expect(scheduleFor('2025-12-31T09:30:00.000Z', { jurisdiction: 'FR', validFor: 'P13M', renewBefore: 'P1M', reminders: { count: 3, every: 'P7D' } })).toEqual({
        expiresAt: '2027-01-31T09:30:00.000Z',
        renewalAt: '2026-12-31T09:30:00.000Z',
        reminderAts: ['2027-01-07T09:30:00.000Z', '2027-01-14T09:30:00.000Z', '2027-01-21T09:30:00.000Z'],
      });
    });

    it('drops a reminder that would fall exactly on expiry and every one after it', () => {
      const schedule = scheduleFor('2026-01-01T00:00:00.000Z', { jurisdiction: 'default', validFor: 'P28D', renewBefore: 'P14D', reminders: { count: 4, every: 'P7D' } });
      expect(schedule.reminderAts).toEqual(['2026-01-22T00:00:00.000Z']);
      for (const reminder of schedule.reminderAts) expect(reminder < (schedule.expiresAt as string)).toBe(true);
    });
  });

  it.each([
    ['a grant time', '2026-01-31T10:00:00.000Z'],
    ['an unreadable grant time (it is not needed)', 'not a date'],
  ])('answers all nulls for a consent valid until withdrawn, given %s', (_what, grantedAt) => {
    expect(scheduleFor(grantedAt, { jurisdiction: 'CA', consentType: 'express', validFor: null })).toEqual({ expiresAt: null, renewalAt: null, reminderAts: [] });
  });

  it.each([
    ['an unreadable grant time', 'yesterday', { jurisdiction: 'FR', validFor: 'P13M' }, /grantedAt "yesterday"/],
    ['an impossible date', '2026-02-30T10:00:00Z', { jurisdiction: 'FR', validFor: 'P13M' }, /grantedAt/],
    ['an unreadable validFor', '2026-01-31T10:00:00Z', { jurisdiction: 'FR', validFor: '13 months' }, /validFor "13 months"/],
    ['a zero validFor', '2026-01-31T10:00:00Z', { jurisdiction: 'FR', validFor: 'P0D' }, /validFor/],
    ['an unreadable renewBefore', '2026-01-31T10:00:00Z', { jurisdiction: 'FR', validFor: 'P13M', renewBefore: 'soon' }, /renewBefore "soon"/],
    ['an unreadable reminder interval', '2026-01-31T10:00:00Z', { jurisdiction: 'FR', validFor: 'P13M', renewBefore: 'P1M', reminders: { count: 2, every: 'weekly' } }, /reminders\.every "weekly"/],
  ])('throws a RangeError for %s rather than schedule a consent that never expires', (_what, grantedAt, policy: RenewalPolicy, message) => {
    expect(() => scheduleFor(grantedAt, policy)).toThrow(RangeError);
    expect(() => scheduleFor(grantedAt, policy)).toThrow(message);
  });
});

describe('policyProblems', () => {
  const good: RenewalPolicy = { jurisdiction: 'FR', validFor: 'P13M', renewBefore: 'P1M', reminders: { count: 2, every: 'P7D' }, source: 'CNIL' };
  const fields = (policy: RenewalPolicy, path = 'policies[0]') => policyProblems(policy, path).map((p) => p.field);

  it.each<[string, RenewalPolicy]>([
    ['a CNIL policy with renewal and reminders', good],
    ['a policy with only validFor', { jurisdiction: 'default', validFor: 'P2Y' }],
    ['an express consent valid until withdrawn', { jurisdiction: 'CA', consentType: 'express', validFor: null }],
    ['an implied-purchase policy', { jurisdiction: 'CA', consentType: 'implied-purchase', validFor: 'P2Y', renewBefore: 'P1M' }],
    ['an implied-inquiry policy', { jurisdiction: 'CA', consentType: 'implied-inquiry', validFor: 'P6M' }],
    ['an EEA policy', { jurisdiction: 'EEA', validFor: 'P24M' }],
    ['a subdivision policy', { jurisdiction: 'US-CA', validFor: 'P1Y' }],
    ['a test policy in seconds', { jurisdiction: 'default', validFor: 'PT30S', renewBefore: 'PT10S', reminders: { count: 2, every: 'PT5S' } }],
    ['a renewal window longer than the consent', { jurisdiction: 'default', validFor: 'PT30S', renewBefore: 'PT1M' }],
    ['zero reminders', { ...good, reminders: { count: 0, every: 'P7D' } }],
    ['100 reminders', { ...good, reminders: { count: 100, every: 'P1D' } }],
  ])('accepts %s', (_what, policy) => {
    expect(policyProblems(policy, 'policies[0]')).toEqual([]);
  });

  it.each(['default', 'EEA', 'FR', 'DE', 'AQ', 'US-CA', 'GB-ENG', 'CA-QC', 'FR-75C'])('accepts jurisdiction %s', (jurisdiction) => {
    expect(fields({ ...good, jurisdiction })).toEqual([]);
  });

  it.each(['fr', 'UK', 'XK', 'EU', 'eea', 'Default', 'FRA', 'US-', 'US-CALI', 'XX-CA', 'UK-ENG', 'us-ca', ''])('refuses jurisdiction %j', (jurisdiction) => {
    expect(policyProblems({ ...good, jurisdiction }, 'policies[0]')).toEqual([
      { field: 'policies[0].jurisdiction', message: 'must be default, EEA, an ISO country code (FR) or an ISO subdivision code (US-CA)' },
    ]);
  });

  it.each<[string, RenewalPolicy, string[]]>([
    ['an unknown consent type', { ...good, consentType: 'implied' as ConsentType }, ['consentType']],
    ['a zero validFor', { ...good, validFor: 'P0D' }, ['validFor']],
    ['a negative validFor', { ...good, validFor: 'P-13M' }, ['validFor']],
    ['a validFor in prose', { ...good, validFor: '13 months' }, ['validFor']],
    ['an empty validFor', { ...good, validFor: '' }, ['validFor']],
    ['a zero renewBefore', { ...good, renewBefore: 'PT0S' }, ['renewBefore']],
    ['an empty renewBefore', { ...good, renewBefore: '' }, ['renewBefore']],
    ['a renewBefore in prose', { ...good, renewBefore: 'a month' }, ['renewBefore']],
    ['a negative reminder count', { ...good, reminders: { count: -1, every: 'P7D' } }, ['reminders.count']],
    ['a fractional reminder count', { ...good, reminders: { count: 1.5, every: 'P7D' } }, ['reminders.count']],
    ['a NaN reminder count', { ...good, reminders: { count: NaN, every: 'P7D' } }, ['reminders.count']],
    ['101 reminders', { ...good, reminders: { count: 101, every: 'P7D' } }, ['reminders.count']],
    ['a zero reminder interval', { ...good, reminders: { count: 2, every: 'P0D' } }, ['reminders.every']],
    ['a reminder interval in prose', { ...good, reminders: { count: 2, every: 'weekly' } }, ['reminders.every']],
    ['reminders without a renewal request', { jurisdiction: 'FR', validFor: 'P13M', reminders: { count: 2, every: 'P7D' } }, ['reminders']],
    ['a renewal for a consent that never expires', { jurisdiction: 'CA', validFor: null, renewBefore: 'P1M' }, ['renewBefore']],
    ['reminders for a consent that never expires', { jurisdiction: 'CA', validFor: null, reminders: { count: 2, every: 'P7D' } }, ['reminders']],
    ['a renewal and reminders for a consent that never expires', { jurisdiction: 'CA', validFor: null, renewBefore: 'P1M', reminders: { count: 2, every: 'P7D' } }, ['renewBefore', 'reminders']],
  ])('reports %s', (_what, policy, expected) => {
    expect(fields(policy, 'policies[0]')).toEqual(expected.map((field) => `policies[0].${field}`));
  });

  it('reports every problem at once, under the given path', () => {
    const policy = { jurisdiction: 'UK', consentType: 'soft-opt-in' as ConsentType, validFor: 'forever', renewBefore: 'P0D', reminders: { count: -2, every: 'never' } };
    expect(fields(policy, 'purposes[2].policies[1]')).toEqual([
      'purposes[2].policies[1].jurisdiction',
      'purposes[2].policies[1].consentType',
      'purposes[2].policies[1].validFor',
      'purposes[2].policies[1].renewBefore',
      'purposes[2].policies[1].reminders.count',
      'purposes[2].policies[1].reminders.every',
    ]);
  });

  it('explains a renewal for a consent that never expires', () => {
    expect(policyProblems({ jurisdiction: 'CA', validFor: null, renewBefore: 'P1M' }, 'p')).toEqual([{ field: 'p.renewBefore', message: 'a consent that never expires has nothing to renew' }]);
  });
});

describe('resolvePolicy', () => {
  const policy = (jurisdiction: string, validFor: string | null, source: string, consentType?: ConsentType): RenewalPolicy => ({ jurisdiction, validFor, source, ...(consentType && { consentType }) });

  // A realistic pack: an internal default, a GDPR refresh interval for the EEA, CNIL for France, CASL for Canada,
  // and internal choices for the US and California.
  const pack: RenewalPolicy[] = [
    policy('default', 'P3Y', 'internal default'),
    policy('EEA', 'P2Y', 'GDPR: refresh at appropriate intervals (internal choice)'),
    policy('EEA', 'P1Y', 'EEA inquiries (internal choice)', 'implied-inquiry'),
    policy('FR', 'P13M', 'CNIL: renew at least every 13 months'),
    policy('CA', 'P2Y', 'CASL s.10(10)(a): implied, purchase, 2 years', 'implied-purchase'),
    policy('CA', 'P6M', 'CASL s.10(10)(b): implied, inquiry, 6 months', 'implied-inquiry'),
    policy('CA', null, 'CASL: express consent lasts until withdrawn', 'express'),
    policy('CA-QC', 'P1Y', 'Quebec (internal choice)'),
    policy('US', 'P2Y', 'US (internal choice)'),
    policy('US-CA', 'P1Y', 'California (internal choice)'),
  ];
  const orders: [string, RenewalPolicy[]][] = [
    ['as listed', pack],
    ['reversed', [...pack].reverse()],
  ];
  const sourceFor = (policies: RenewalPolicy[], where: { country: string; region?: string }, type: ConsentType) => resolvePolicy(policies, where, type)?.source;

  describe.each(orders)('with the pack %s', (_order, policies) => {
    it.each<[{ country: string; region?: string }, ConsentType, string]>([
      [{ country: 'US', region: 'US-CA' }, 'express', 'California (internal choice)'],
      [{ country: 'US', region: 'US-NY' }, 'express', 'US (internal choice)'],
      [{ country: 'US' }, 'implied-purchase', 'US (internal choice)'],
      [{ country: 'FR' }, 'express', 'CNIL: renew at least every 13 months'],
      [{ country: 'FR' }, 'implied-inquiry', 'CNIL: renew at least every 13 months'],
      [{ country: 'FR', region: 'FR-75C' }, 'express', 'CNIL: renew at least every 13 months'],
      [{ country: 'DE' }, 'express', 'GDPR: refresh at appropriate intervals (internal choice)'],
      [{ country: 'DE', region: 'DE-BE' }, 'implied-purchase', 'GDPR: refresh at appropriate intervals (internal choice)'],
      [{ country: 'DE' }, 'implied-inquiry', 'EEA inquiries (internal choice)'],
      [{ country: 'NO' }, 'express', 'GDPR: refresh at appropriate intervals (internal choice)'],
      [{ country: 'CH' }, 'express', 'internal default'],
      [{ country: 'GB' }, 'express', 'internal default'],
      [{ country: 'JP' }, 'implied-inquiry', 'internal default'],
      [{ country: 'CA' }, 'express', 'CASL: express consent lasts until withdrawn'],
      [{ country: 'CA' }, 'implied-purchase', 'CASL s.10(10)(a): implied, purchase, 2 years'],
      [{ country: 'CA' }, 'implied-inquiry', 'CASL s.10(10)(b): implied, inquiry, 6 months'],
      [{ country: 'CA', region: 'CA-ON' }, 'implied-inquiry', 'CASL s.10(10)(b): implied, inquiry, 6 months'],
      [{ country: 'CA', region: 'CA-QC' }, 'implied-inquiry', 'Quebec (internal choice)'],
    ])('%j, %s → %s', (where, type, expected) => {
      expect(sourceFor(policies, where, type)).toBe(expected);
    });
  });

  describe('place: region beats country beats EEA beats default', () => {
    const ladder = [policy('default', 'P4Y', 'default'), policy('EEA', 'P3Y', 'EEA'), policy('FR', 'P2Y', 'FR'), policy('FR-75C', 'P1Y', 'FR-75C')];
    it.each<[string, RenewalPolicy[], string]>([
      ['all four', ladder, 'FR-75C'],
      ['without the region', ladder.filter((p) => p.jurisdiction !== 'FR-75C'), 'FR'],
      ['without region and country', ladder.filter((p) => !p.jurisdiction.startsWith('FR')), 'EEA'],
      ['the default alone', ladder.filter((p) => p.jurisdiction === 'default'), 'default'],
      ['all four, reversed', [...ladder].reverse(), 'FR-75C'],
    ])('%s → %s', (_what, policies, expected) => {
      expect(sourceFor(policies, { country: 'FR', region: 'FR-75C' }, 'express')).toBe(expected);
    });
  });

  describe('the EEA policy applies only in the EEA', () => {
    const policies = [policy('EEA', 'P2Y', 'EEA'), policy('default', 'P3Y', 'default')];
    it.each([...EEA_COUNTRIES].sort())('%s is in the EEA', (country) => {
      expect(sourceFor(policies, { country }, 'express')).toBe('EEA');
    });
    it.each(['CH', 'GB', 'TR', 'RU', 'UA', 'US', 'AD', 'MC', 'SM', 'VA', 'GL', 'FO', 'GI', 'JE'])('%s is not', (country) => {
      expect(sourceFor(policies, { country }, 'express')).toBe('default');
    });
  });

  describe('consent type', () => {
    it.each<[string, RenewalPolicy[], string, ConsentType, string | undefined]>([
      ['a type-specific policy beats a general one at the same place', [policy('CA', 'P1Y', 'general'), policy('CA', 'P6M', 'inquiry', 'implied-inquiry')], 'CA', 'implied-inquiry', 'inquiry'],
      ['… whichever comes first', [policy('CA', 'P6M', 'inquiry', 'implied-inquiry'), policy('CA', 'P1Y', 'general')], 'CA', 'implied-inquiry', 'inquiry'],
      ['a general policy applies to other types', [policy('CA', 'P1Y', 'general'), policy('CA', 'P6M', 'inquiry', 'implied-inquiry')], 'CA', 'express', 'general'],
      ['a type-specific policy of another type is ignored', [policy('CA', 'P6M', 'inquiry', 'implied-inquiry'), policy('default', 'P3Y', 'default')], 'CA', 'express', 'default'],
      ['… even when nothing else matches', [policy('CA', 'P6M', 'inquiry', 'implied-inquiry')], 'CA', 'implied-purchase', undefined],
      ['a general policy of a more specific place beats a type-specific one of a less specific place', [policy('EEA', 'P1Y', 'EEA inquiry', 'implied-inquiry'), policy('DE', 'P2Y', 'DE')], 'DE', 'implied-inquiry', 'DE'],
      ['a type-specific default beats the general default', [policy('default', 'P3Y', 'default'), policy('default', 'P6M', 'default inquiry', 'implied-inquiry')], 'JP', 'implied-inquiry', 'default inquiry'],
    ])('%s', (_what, policies, country, type, expected) => {
      expect(sourceFor(policies, { country }, type)).toBe(expected);
    });
  });

  it.each<[string, RenewalPolicy[], { country: string; region?: string }]>([
    ['an empty list', [], { country: 'FR' }],
    ['policies for other places only', [policy('FR', 'P13M', 'FR'), policy('US-CA', 'P1Y', 'US-CA')], { country: 'DE' }],
    ['an EEA policy outside the EEA', [policy('EEA', 'P2Y', 'EEA')], { country: 'CH' }],
    ['a Canadian policy for California (CA the country is not US-CA)', [policy('CA', 'P2Y', 'Canada')], { country: 'US', region: 'US-CA' }],
    ['a Californian policy for Canada', [policy('US-CA', 'P1Y', 'California')], { country: 'CA' }],
    ['a region of the same country that is not the subject’s', [policy('US-NY', 'P1Y', 'New York')], { country: 'US', region: 'US-CA' }],
  ])('finds nothing in %s', (_what, policies, where) => {
    expect(resolvePolicy(policies, where, 'express')).toBeUndefined();
  });

  describe('realistic packs, resolved and scheduled', () => {
    it.each<[string, { country: string; region?: string }, ConsentType, string, string | null]>([
      ['CNIL, granted on 31 January', { country: 'FR' }, 'express', '2026-01-31T10:00:00.000Z', '2027-02-28T10:00:00.000Z'],
      ['CNIL, granted mid-month', { country: 'FR', region: 'FR-75C' }, 'express', '2026-05-15T10:00:00.000Z', '2027-06-15T10:00:00.000Z'],
      ['CASL implied from a purchase: 2 years', { country: 'CA' }, 'implied-purchase', '2026-03-15T10:00:00.000Z', '2028-03-15T10:00:00.000Z'],
      ['CASL implied from a purchase on 29 February', { country: 'CA' }, 'implied-purchase', '2028-02-29T10:00:00.000Z', '2030-02-28T10:00:00.000Z'],
      ['CASL implied from an inquiry: 6 months', { country: 'CA' }, 'implied-inquiry', '2026-03-15T10:00:00.000Z', '2026-09-15T10:00:00.000Z'],
      ['CASL implied from an inquiry on 31 August', { country: 'CA' }, 'implied-inquiry', '2026-08-31T10:00:00.000Z', '2027-02-28T10:00:00.000Z'],
      ['CASL express: until withdrawn', { country: 'CA' }, 'express', '2026-03-15T10:00:00.000Z', null],
    ])('%s', (_what, where, type, grantedAt, expected) => {
      const resolved = resolvePolicy(pack, where, type);
      expect(resolved).toBeDefined();
      expect(policyProblems(resolved as RenewalPolicy, 'p')).toEqual([]);
      expect(scheduleFor(grantedAt, resolved as RenewalPolicy).expiresAt).toBe(expected);
    });

    it('every policy in the pack is valid', () => {
      expect(pack.flatMap((p, i) => policyProblems(p, `policies[${i}]`))).toEqual([]);
    });
  });
});
