import { ACCURACY_RULES, fixValue, inspectSubject, proposeFixes, type AccuracyOptions, type AccuracyRule, type SubjectRecord } from '../../domain/audit/accuracy';
import { FIXES, type FindingDraft, type FixKind } from '../../domain/audit/types';

const options: AccuracyOptions = { now: '2026-03-01T00:00:00.000Z', staleAfterMonths: 24 };

/** A record every rule accepts; each test spoils what it is about. */
const record = (overrides: Partial<SubjectRecord> = {}): SubjectRecord => ({
  id: 'sub_1',
  name: 'Anna Müller',
  email: 'anna@example.com',
  phone: '+4930123456',
  country: 'DE',
  region: 'DE-BE',
  updatedAt: '2026-01-15T10:00:00.000Z',
  ...overrides,
});

const inspect = (overrides: Partial<SubjectRecord>, opts: AccuracyOptions = options): FindingDraft[] => inspectSubject(record(overrides), opts);
const rulesOf = (overrides: Partial<SubjectRecord>, opts?: AccuracyOptions): string[] => inspect(overrides, opts).map((f) => f.rule);
const findingOf = (rule: AccuracyRule, overrides: Partial<SubjectRecord>, opts?: AccuracyOptions): FindingDraft => {
  const found = inspect(overrides, opts).find((f) => f.rule === rule);
  if (!found) throw new Error(`expected a ${rule} finding`);
  return found;
};

describe('ACCURACY_RULES', () => {
  it.each<[AccuracyRule, string, FixKind | undefined]>([
    ['email-invalid', 'medium', undefined],
    ['email-not-normalised', 'low', 'email-normalise'],
    ['phone-invalid', 'medium', undefined],
    ['phone-not-e164', 'low', 'phone-e164'],
    ['contact-missing', 'medium', undefined],
    ['country-missing', 'high', undefined],
    ['country-invalid', 'medium', undefined],
    ['country-not-normalised', 'low', 'country-case'],
    ['region-invalid', 'low', undefined],
    ['stale-record', 'low', undefined],
    ['updated-at-invalid', 'low', undefined],
  ])('%s is %s with fix %s', (rule, severity, fix) => {
    expect(ACCURACY_RULES[rule].severity).toBe(severity);
    expect(ACCURACY_RULES[rule].fix).toBe(fix);
    expect(ACCURACY_RULES[rule].recommendation.length).toBeGreaterThan(20);
  });

  it('has exactly the eleven rules, one for each fix kind that carries a fix', () => {
    expect(Object.keys(ACCURACY_RULES)).toHaveLength(11);
    const fixes = Object.values(ACCURACY_RULES).flatMap((r) => (r.fix ? [r.fix] : []));
    expect(fixes.sort()).toEqual([...FIXES].sort());
  });
});

describe('inspectSubject', () => {
  it('finds nothing wrong with a clean record', () => {
    expect(inspect({})).toEqual([]);
  });

  it('accepts a record without name and region, and with only an e-mail or only a phone', () => {
    expect(rulesOf({ name: undefined, region: undefined })).toEqual([]);
    expect(rulesOf({ phone: undefined })).toEqual([]);
    expect(rulesOf({ email: undefined })).toEqual([]);
  });

  it('names the check, the record and the rule’s severity, recommendation and fix on every finding', () => {
    const findings = inspect({ id: 'sub_42', email: 'Anna@Example.com', phone: 'not a phone', country: 'de', region: 'XX', updatedAt: '2020-01-01T00:00:00Z' });
    expect(findings.length).toBeGreaterThan(4);
    for (const f of findings) {
      const rule = ACCURACY_RULES[f.rule as AccuracyRule];
      expect(f).toMatchObject({ check: 'data-accuracy', recordType: 'subject', recordIds: ['sub_42'], severity: rule.severity, recommendation: rule.recommendation });
      expect(f.fix).toBe(rule.fix);
      if (rule.fix === undefined) expect(f).not.toHaveProperty('fix');
    }
  });

  describe('e-mail', () => {
    it.each<[string, string[]]>([
      ['anna@example.com', []],
      ['Anna@Example.com', ['email-not-normalised']],
      ['ANNA@EXAMPLE.COM', ['email-not-normalised']],
      ['  anna@example.com ', ['email-not-normalised']],
      ['\tanna@example.com\n', ['email-not-normalised']],
      [' Anna@Example.com', ['email-not-normalised']],
      ['anna@example', ['email-invalid']],
      ['anna example.com', ['email-invalid']],
      ['anna@@example.com', ['email-invalid']],
      ['Anna@@Example.com', ['email-invalid']],
      ['Anna Müller <anna@example.com>', ['email-invalid']],
      ['', []],
      ['   ', []],
    ])('%j gives %j', (email, rules) => {
      expect(rulesOf({ email })).toEqual(rules);
    });

    it('reports the field, never the address', () => {
      expect(findingOf('email-invalid', { email: 'anna@example' }).detail).toEqual({ field: 'email' });
      expect(findingOf('email-not-normalised', { email: 'Anna@Example.com' })).toMatchObject({ detail: { field: 'email' }, fix: 'email-normalise' });
    });
  });

  describe('phone', () => {
    it.each<[string, string | undefined, string[]]>([
      ['+4930123456', 'DE', []],
      ['+49 30 123456', 'DE', ['phone-not-e164']],
      [' +4930123456 ', 'DE', ['phone-not-e164']],
      ['030 1234567', 'DE', ['phone-not-e164']],
      ['0151 23456789', 'DE', ['phone-not-e164']],
      ['0049 30 1234567', 'DE', ['phone-not-e164']],
      ['+49 (0)30 1234567', 'DE', ['phone-not-e164']],
      ['030 123456X', 'DE', ['phone-invalid']],
      ['030 1234567 ask for Bob', 'DE', ['phone-invalid']],
      ['tel:+4930123456', 'DE', ['phone-invalid']],
      ['+12125550100', 'US', []],
      ['(212) 555-0100', 'US', ['phone-not-e164']],
      ['+1 212 555 0100', 'US', ['phone-not-e164']],
      ['212-555-0100', 'US', ['phone-not-e164']],
      ['+442079460958', 'GB', []],
      ['020 7946 0958', 'GB', ['phone-not-e164']],
      ['07911 123456', 'GB', ['phone-not-e164']],
      // A German national number read as British is not a number at all.
      ['030 1234567', 'GB', ['phone-invalid']],
      // Someone abroad: the number's own country code wins over the subject's country.
      ['+12125550100', 'DE', []],
      ['+44 20 7946 0958', 'DE', ['phone-not-e164']],
      ['', 'DE', []],
      ['  ', 'DE', []],
    ])('%j in %s gives %j', (phone, country, rules) => {
      expect(rulesOf({ phone, country, region: undefined })).toEqual(rules);
    });

    it.each<[string, string | undefined, string[]]>([
      ['030 1234567', 'de', ['phone-not-e164', 'country-not-normalised']],
      ['030 1234567', ' DE ', ['phone-not-e164', 'country-not-normalised']],
      ['+4930123456', 'de', ['country-not-normalised']],
      // An international number is readable whatever the country says.
      ['+49 30 1234567', 'Germany', ['phone-not-e164', 'country-invalid']],
      ['+4930123456', 'UK', ['country-invalid']],
      ['+4930123456', undefined, ['country-missing']],
      // A national number needs a usable country to be read.
      ['030 1234567', 'UK', ['phone-invalid', 'country-invalid']],
      ['030 1234567', undefined, ['phone-invalid', 'country-missing']],
      ['030 1234567', '', ['phone-invalid', 'country-missing']],
    ])('%j with the stored country %j gives %j', (phone, country, rules) => {
      expect(rulesOf({ phone, country, region: undefined })).toEqual(rules);
    });

    it('reports the field, never the number', () => {
      expect(findingOf('phone-invalid', { phone: '12' }).detail).toEqual({ field: 'phone' });
      expect(findingOf('phone-not-e164', { phone: '030 1234567' })).toMatchObject({ detail: { field: 'phone' }, fix: 'phone-e164' });
    });
  });

  describe('contact', () => {
    it.each<[string | undefined, string | undefined]>([
      [undefined, undefined],
      ['', ''],
      ['  ', '\t'],
      [undefined, ' '],
      ['\n', undefined],
    ])('reports contact-missing for e-mail %j and phone %j', (email, phone) => {
      expect(rulesOf({ email, phone })).toEqual(['contact-missing']);
      expect(findingOf('contact-missing', { email, phone }).severity).toBe('medium');
    });

    it('counts an unreadable value as present: the finding is that it is invalid, not that it is missing', () => {
      expect(rulesOf({ email: 'anna@example', phone: undefined })).toEqual(['email-invalid']);
      expect(rulesOf({ email: undefined, phone: '12' })).toEqual(['phone-invalid']);
    });
  });

  describe('country', () => {
    it.each<[string | undefined, string[]]>([
      ['DE', []],
      ['GB', []],
      [undefined, ['country-missing']],
      ['', ['country-missing']],
      ['   ', ['country-missing']],
      ['de', ['country-not-normalised']],
      ['De', ['country-not-normalised']],
      [' DE', ['country-not-normalised']],
      ['DE\n', ['country-not-normalised']],
      ['UK', ['country-invalid']],
      ['XK', ['country-invalid']],
      ['DEU', ['country-invalid']],
      ['Germany', ['country-invalid']],
      ['D E', ['country-invalid']],
    ])('%j gives %j', (country, rules) => {
      expect(rulesOf({ country, region: undefined, phone: '+4930123456' })).toEqual(rules);
    });

    it('rates a missing country high: without it no law or policy can be applied', () => {
      expect(findingOf('country-missing', { country: undefined, region: undefined })).toMatchObject({ severity: 'high', detail: { field: 'country' } });
      expect(findingOf('country-not-normalised', { country: 'de' })).toMatchObject({ severity: 'low', fix: 'country-case' });
    });
  });

  describe('region', () => {
    it.each<[string | undefined, string | undefined, string[]]>([
      ['DE', 'DE-BE', []],
      ['US', 'US-CA', []],
      ['GB', 'GB-ENG', []],
      ['FR', 'FR-75C', []],
      ['DE', undefined, []],
      ['DE', '', []],
      ['DE', '  ', []],
      ['DE', 'US-CA', ['region-invalid']],
      ['US', 'CA', ['region-invalid']],
      ['US', 'California', ['region-invalid']],
      ['US', 'US-CALI', ['region-invalid']],
      // Policies match the region by its exact code, so case and whitespace matter.
      ['US', 'us-ca', ['region-invalid']],
      ['US', ' US-CA', ['region-invalid']],
      // Checked against the country as it will be normalised.
      ['de', 'DE-BE', ['country-not-normalised']],
      ['de', 'US-CA', ['country-not-normalised', 'region-invalid']],
      // Without a usable country, the region is checked against its own prefix.
      [undefined, 'US-CA', ['country-missing']],
      ['Germany', 'DE-BE', ['country-invalid']],
      [undefined, 'XX-YY', ['country-missing', 'region-invalid']],
      ['Germany', 'Berlin', ['country-invalid', 'region-invalid']],
    ])('country %j, region %j gives %j', (country, region, rules) => {
      expect(rulesOf({ country, region, phone: '+4930123456' })).toEqual(rules);
    });

    it('reports the field, never the code', () => {
      expect(findingOf('region-invalid', { region: 'US-CA' })).toMatchObject({ severity: 'low', detail: { field: 'region' } });
    });
  });

  describe('staleness', () => {
    const at = (updatedAt: string, now: string, staleAfterMonths: number): string[] => rulesOf({ updatedAt }, { now, staleAfterMonths });

    it.each<[string, string, number, boolean]>([
      // A month after 31 January ends on 28 February at the same time of day.
      ['2026-01-31T10:00:00.000Z', '2026-02-28T09:59:59.999Z', 1, false],
      ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', 1, false],
      ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.001Z', 1, true],
      ['2026-01-31T10:00:00.000Z', '2026-03-01T00:00:00.000Z', 1, true],
      // In a leap year, on 29 February.
      ['2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z', 1, false],
      ['2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.001Z', 1, true],
      // A year after 29 February is 28 February.
      ['2024-02-29T12:00:00.000Z', '2025-02-28T12:00:00.000Z', 12, false],
      ['2024-02-29T12:00:00.000Z', '2025-02-28T12:00:00.001Z', 12, true],
      // ... and four years after, 29 February again.
      ['2024-02-29T12:00:00.000Z', '2028-02-28T23:59:59.999Z', 48, false],
      ['2024-02-29T12:00:00.000Z', '2028-02-29T12:00:00.000Z', 48, false],
      ['2024-02-29T12:00:00.000Z', '2028-02-29T12:00:00.001Z', 48, true],
      // A year after 28 February of a common year is 28 February, even in a leap year.
      ['2023-02-28T00:00:00.000Z', '2024-02-28T00:00:00.001Z', 12, true],
      ['2025-03-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z', 11, false],
      ['2025-03-31T08:00:00.000Z', '2026-02-28T08:00:01.000Z', 11, true],
      ['2024-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 24, false],
      ['2024-03-01T00:00:00.000Z', '2026-03-01T00:00:00.001Z', 24, true],
      ['2024-02-29T23:59:59.999Z', '2026-03-01T00:00:00.000Z', 24, true],
      // Zero months: stale as soon as time has passed.
      ['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 0, false],
      ['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.001Z', 0, true],
      // Updated after the audit started (a clock ahead, a concurrent edit): not stale.
      ['2026-03-02T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 0, false],
    ])('updated %s, at %s with %d months: stale %s', (updatedAt, now, months, stale) => {
      expect(at(updatedAt, now, months)).toEqual(stale ? ['stale-record'] : []);
    });

    it('counts calendar months in UTC, whatever offset the timestamps carry', () => {
      // 31 January 00:30 in Paris is 30 January 23:30 UTC, so the month ends on 28 February 23:30 UTC. Counted in
      // Paris time it would end on 28 February 00:30 Paris, which is 27 February 23:30 UTC: a day earlier.
      expect(at('2026-01-31T00:30:00+01:00', '2026-02-28T00:00:00.000Z', 1)).toEqual([]);
      expect(at('2026-01-31T00:30:00+01:00', '2026-02-28T23:30:00.000Z', 1)).toEqual([]);
      expect(at('2026-01-31T00:30:00+01:00', '2026-02-28T23:30:00.001Z', 1)).toEqual(['stale-record']);
      expect(at('2026-01-31T10:00:00.000Z', '2026-02-28T12:00:00.001+02:00', 1)).toEqual(['stale-record']);
      expect(at('2026-01-31T10:00:00.000Z', '2026-02-28T11:00:00.000+01:00', 1)).toEqual([]);
    });

    it.each<[string, string, number, string, number]>([
      ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.001Z', 1, '2026-01-31', 1],
      ['2026-01-31T00:30:00+01:00', '2026-03-31T00:00:00.000Z', 1, '2026-01-30', 2],
      ['2020-01-15T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 24, '2020-01-15', 73],
      ['2024-02-29T12:00:00.000Z', '2025-02-28T12:00:00.001Z', 12, '2024-02-29', 12],
      ['2023-12-31T23:59:59.999Z', '2026-03-01T00:00:00.000Z', 24, '2023-12-31', 26],
    ])('updated %s, at %s with %d months: detail says %s and %d whole months', (updatedAt, now, staleAfterMonths, date, months) => {
      const finding = findingOf('stale-record', { updatedAt }, { now, staleAfterMonths });
      expect(finding.detail).toEqual({ updatedAt: date, months });
      expect(months).toBeGreaterThanOrEqual(staleAfterMonths);
      expect(finding.severity).toBe('low');
    });

    it.each([
      ['empty', ''],
      ['not a date', 'yesterday'],
      ['a date that does not exist', '2026-02-30T00:00:00Z'],
      ['a day, not an instant', '2026-01-15'],
      ['a time without an offset', '2026-01-15T10:00:00'],
      ['missing altogether', undefined as unknown as string],
    ])('reports updated-at-invalid and no staleness for %s', (_, updatedAt) => {
      expect(rulesOf({ updatedAt }, { now: '2099-01-01T00:00:00Z', staleAfterMonths: 0 })).toEqual(['updated-at-invalid']);
      expect(findingOf('updated-at-invalid', { updatedAt }).detail).toEqual({ field: 'updatedAt' });
    });
  });

  describe('options', () => {
    it.each(['', '2026-03-01', 'now', '2026-03-01T00:00:00'])('refuses now = %j', (now) => {
      expect(() => inspect({}, { now, staleAfterMonths: 1 })).toThrow(RangeError);
    });

    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses staleAfterMonths = %d', (staleAfterMonths) => {
      expect(() => inspect({}, { now: options.now, staleAfterMonths })).toThrow(RangeError);
    });
  });

  it('reports every problem of a record at once, in a fixed order', () => {
    const findings = inspect({ email: 'Anna@Example', phone: '030 1234567', country: 'de', region: 'us-ca', updatedAt: '2020-01-01T00:00:00Z' });
    expect(findings.map((f) => f.rule)).toEqual(['email-invalid', 'phone-not-e164', 'country-not-normalised', 'region-invalid', 'stale-record']);
    expect(inspect({ email: ' ', phone: undefined, country: ' ', region: 'XX', updatedAt: 'never' }).map((f) => f.rule)).toEqual([
      'contact-missing',
      'country-missing',
      'region-invalid',
      'updated-at-invalid',
    ]);
  });

  it('never puts a value of the record into a finding', () => {
    const values = { name: 'Zebulon Quixote', email: ' Zebulon.Quixote@Example.ORG ', phone: '030 7654321', country: 'de', region: 'de-by' };
    const findings = inspect({ ...values, updatedAt: '2019-06-30T00:00:00Z' });
    expect(findings.map((f) => f.rule)).toEqual(['email-not-normalised', 'phone-not-e164', 'country-not-normalised', 'region-invalid', 'stale-record']);
    const text = JSON.stringify(findings).toLowerCase();
    for (const value of ['zebulon', 'quixote', 'example.org', '7654321', 'de-by']) expect(text).not.toContain(value);
    for (const f of findings) {
      for (const v of Object.values(f.detail ?? {})) {
        if (typeof v === 'string') expect(['email', 'phone', 'country', 'region', 'updatedAt', 'email, phone', '2019-06-30']).toContain(v);
      }
    }
  });
});

describe('fixValue', () => {
  it.each<[FixKind, string, string | undefined, string | undefined]>([
    ['email-normalise', 'Anna@Example.COM', undefined, 'anna@example.com'],
    ['email-normalise', '  anna@example.com\t', undefined, 'anna@example.com'],
    ['email-normalise', 'anna@example.com', undefined, undefined],
    ['email-normalise', 'anna@example', undefined, undefined],
    ['email-normalise', '', undefined, undefined],
    ['phone-e164', '030 1234567', 'DE', '+49301234567'],
    ['phone-e164', '030 1234567', 'de', '+49301234567'],
    ['phone-e164', '030 1234567', ' DE ', '+49301234567'],
    ['phone-e164', '030 1234567', undefined, undefined],
    ['phone-e164', '030 1234567', 'Germany', undefined],
    ['phone-e164', '+49 30 1234567', undefined, '+49301234567'],
    ['phone-e164', '+49 30 1234567', 'UK', '+49301234567'],
    ['phone-e164', ' +4930123456', 'DE', '+4930123456'],
    ['phone-e164', '+4930123456', 'DE', undefined],
    ['phone-e164', '(212) 555-0100', 'US', '+12125550100'],
    ['phone-e164', '020 7946 0958', 'GB', '+442079460958'],
    ['phone-e164', '07911 123456', 'GB', '+447911123456'],
    ['phone-e164', '030 123456X', 'DE', undefined],
    ['country-case', 'de', undefined, 'DE'],
    ['country-case', ' GB ', undefined, 'GB'],
    ['country-case', 'Us', undefined, 'US'],
    ['country-case', 'DE', undefined, undefined],
    ['country-case', 'uk', undefined, undefined],
    ['country-case', 'Germany', undefined, undefined],
    ['country-case', '', undefined, undefined],
  ])('%s of %j (country %j) writes %j', (kind, value, country, expected) => {
    expect(fixValue(kind, value, country)).toBe(expected);
  });

  it('is idempotent: a fixed value needs no further fix', () => {
    const cases: [FixKind, string, string | undefined][] = [
      ['email-normalise', ' Anna@Example.COM', undefined],
      ['phone-e164', '030 1234567', 'de'],
      ['phone-e164', '(212) 555-0100', 'US'],
      ['country-case', ' gb', undefined],
    ];
    for (const [kind, value, country] of cases) {
      const fixed = fixValue(kind, value, country);
      expect(fixed).toBeDefined();
      expect(fixValue(kind, fixed as string, country)).toBeUndefined();
    }
  });
});

describe('proposeFixes', () => {
  it('proposes the three fixes of a record, e-mail first, with the values before and after', () => {
    expect(proposeFixes(record({ email: ' Anna@Example.com', phone: '030 1234567', country: 'de' }))).toEqual([
      { field: 'email', fix: 'email-normalise', before: ' Anna@Example.com', after: 'anna@example.com' },
      { field: 'phone', fix: 'phone-e164', before: '030 1234567', after: '+49301234567' },
      { field: 'country', fix: 'country-case', before: 'de', after: 'DE' },
    ]);
  });

  it('proposes nothing for a clean record, for missing values, or for values a person must correct', () => {
    expect(proposeFixes(record())).toEqual([]);
    expect(proposeFixes({ id: 'sub_2', updatedAt: '2026-01-01T00:00:00Z' })).toEqual([]);
    expect(proposeFixes(record({ email: '  ', phone: '', country: ' ' }))).toEqual([]);
    expect(proposeFixes(record({ email: 'anna@example', phone: '030 123456X', country: 'UK' }))).toEqual([]);
  });

  it('reads a national number in the stored country, however that is written', () => {
    expect(proposeFixes(record({ phone: '020 7946 0958', country: ' gb' }))).toEqual([
      { field: 'phone', fix: 'phone-e164', before: '020 7946 0958', after: '+442079460958' },
      { field: 'country', fix: 'country-case', before: ' gb', after: 'GB' },
    ]);
  });

  const records: Partial<SubjectRecord>[] = [
    {},
    { email: 'Anna@Example.com' },
    { email: 'anna@example' },
    { phone: '030 1234567' },
    { phone: '030 1234567', country: 'de' },
    { phone: '030 1234567', country: 'Germany' },
    { phone: '(212) 555-0100', country: 'US', region: 'US-NY' },
    { phone: '+1 212 555 0100', country: undefined },
    { email: ' A@B.CO ', phone: '07911 123456', country: 'gb', region: 'GB-ENG' },
    { email: undefined, phone: undefined, country: ' DE ' },
  ];

  it.each(records)('matches the fixes inspectSubject offers for %j', (overrides) => {
    const offered = inspect(overrides).flatMap((f) => (f.fix ? [f.fix] : []));
    expect(proposeFixes(record(overrides)).map((p) => p.fix)).toEqual(offered);
  });

  it.each(records)('leaves nothing to fix once its proposals are written, for %j', (overrides) => {
    const before = record(overrides);
    const after = { ...before, ...Object.fromEntries(proposeFixes(before).map((p) => [p.field, p.after])) };
    expect(proposeFixes(after)).toEqual([]);
    expect(inspectSubject(after, options).filter((f) => f.fix !== undefined)).toEqual([]);
  });
});
