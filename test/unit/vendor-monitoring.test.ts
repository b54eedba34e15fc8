import {
  DEFAULT_CADENCE,
  atRisk,
  certificateExpiresAt,
  certificateReminders,
  expiredCertificates,
  isExpired,
  reassessmentDue,
  type Cadence,
} from '../../domain/vendor/monitoring';
import type { RemediationItem, Tier, Vendor, VendorStatus } from '../../domain/vendor/types';
import { cert, monitoredVendor } from '../harness/vendor-fixture';


describe('reassessmentDue', () => {
  it('defaults to 6, 12, 24 and 36 months by tier', () => {
    expect(DEFAULT_CADENCE).toEqual({ critical: 6, high: 12, medium: 24, low: 36 });
  });

  it.each([
    // [tier, lastApprovedAt, due]
    ['critical', '2026-01-15T10:00:00.000Z', '2026-07-15T10:00:00.000Z'],
    ['high', '2026-01-15T10:00:00.000Z', '2027-01-15T10:00:00.000Z'],
    ['medium', '2026-01-15T10:00:00.000Z', '2028-01-15T10:00:00.000Z'],
    ['low', '2026-01-15T10:00:00.000Z', '2029-01-15T10:00:00.000Z'],
    // Month ends clamp to the last day of the target month.
    ['critical', '2025-08-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z'],
    ['critical', '2027-08-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
    ['critical', '2026-03-31T10:00:00.000Z', '2026-09-30T10:00:00.000Z'],
    ['critical', '2026-12-31T23:59:59.999Z', '2027-06-30T23:59:59.999Z'],
    // From 29 February, leap years or not.
    ['high', '2028-02-29T08:00:00.000Z', '2029-02-28T08:00:00.000Z'],
    ['medium', '2028-02-29T08:00:00.000Z', '2030-02-28T08:00:00.000Z'],
    ['low', '2028-02-29T08:00:00.000Z', '2031-02-28T08:00:00.000Z'],
    ['low', '2029-02-28T08:00:00.000Z', '2032-02-28T08:00:00.000Z'],
    // Counted in UTC: an offset instant is the UTC instant.
    ['critical', '2026-08-31T23:30:00.000-02:00', '2027-03-01T01:30:00.000Z'],
  ] as Array<[Tier, string, string]>)('%s approved %s is due %s', (tier, last, due) => {
    expect(reassessmentDue(tier, last)).toBe(due);
  });

  it.each([
    [{ critical: 3 }, 'critical', '2026-01-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z'],
    [{ high: 1 }, 'high', '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    [{ critical: 3 }, 'low', '2026-01-31T00:00:00.000Z', '2029-01-31T00:00:00.000Z'],
    [{ low: 48, medium: 18 }, 'medium', '2026-01-31T00:00:00.000Z', '2027-07-31T00:00:00.000Z'],
  ] as Array<[Partial<Cadence>, Tier, string, string]>)('cadence %j: %s approved %s is due %s', (cadence, tier, last, due) => {
    expect(reassessmentDue(tier, last, cadence)).toBe(due);
  });

  it.each([
    ['a zero cadence', 'high' as Tier, '2026-01-01T00:00:00.000Z', { high: 0 }],
    ['a fractional cadence', 'high' as Tier, '2026-01-01T00:00:00.000Z', { high: 1.5 }],
    ['an unreadable instant', 'high' as Tier, 'last spring', {}],
  ])('throws a RangeError for %s', (_label, tier, last, cadence) => {
    expect(() => reassessmentDue(tier, last, cadence)).toThrow(RangeError);
  });
});

describe('certificates', () => {
  it.each([
    ['2027-03-14', '2027-03-15T00:00:00.000Z'],
    ['2028-02-28', '2028-02-29T00:00:00.000Z'],
    ['2028-02-29', '2028-03-01T00:00:00.000Z'],
    ['2026-12-31', '2027-01-01T00:00:00.000Z'],
  ])('valid until %s: expires at %s', (expiresOn, at) => {
    expect(certificateExpiresAt(cert(expiresOn))).toBe(at);
  });

  it.each(['2027-02-29', '14/03/2027', '2027-03-14T00:00:00Z'])('refuses the expiry %s', (expiresOn) => {
    expect(() => certificateExpiresAt(cert(expiresOn))).toThrow(RangeError);
  });

  // Valid until 14 March 2027: 60 days before 15 March 00:00 is 14 January, 30 is 13 February, 7 is 8 March.
  const c = cert('2027-03-14');
  const R60 = '2027-01-14T00:00:00.000Z';
  const R30 = '2027-02-13T00:00:00.000Z';
  const R7 = '2027-03-08T00:00:00.000Z';

  it.each([
    ['long before', '2026-06-01T00:00:00.000Z', [R60, R30, R7]],
    ['a millisecond before the first', '2027-01-13T23:59:59.999Z', [R60, R30, R7]],
    ['exactly at the first: it is no longer ahead', R60, [R30, R7]],
    ['between the first and the second', '2027-02-01T00:00:00.000Z', [R30, R7]],
    ['between the second and the third', '2027-03-01T00:00:00.000Z', [R7]],
    ['exactly at the last', R7, []],
    ['after the last, before expiry', '2027-03-14T23:59:59.999Z', []],
    ['after expiry', '2027-06-01T00:00:00.000Z', []],
  ])('%s: %j', (_label, now, reminders) => {
    expect(certificateReminders(c, now)).toEqual(reminders);
  });

  it.each([
    [[90, 1], ['2026-12-15T00:00:00.000Z', '2027-03-14T00:00:00.000Z']],
    [[7, 60, 30, 30], [R60, R30, R7]],
    [[], []],
  ] as Array<[number[], string[]]>)('lead days %j', (lead, reminders) => {
    expect(certificateReminders(c, '2026-01-01T00:00:00.000Z', lead)).toEqual(reminders);
  });

  it('counts days across a leap day', () => {
    expect(certificateReminders(cert('2028-03-30'), '2027-01-01T00:00:00.000Z')).toEqual(['2028-01-31T00:00:00.000Z', '2028-03-01T00:00:00.000Z', '2028-03-24T00:00:00.000Z']);
  });

  it.each([[[0]], [[-7]], [[1.5]], [[30, Number.NaN]]])('refuses lead days %j', (lead) => {
    expect(() => certificateReminders(c, '2026-01-01T00:00:00.000Z', lead)).toThrow(RangeError);
  });

  it.each([
    ['2027-03-14T23:59:59.999Z', false],
    ['2027-03-15T00:00:00.000Z', true],
    ['2028-01-01T00:00:00.000Z', true],
  ])('at %s expired: %s', (now, expired) => {
    expect(isExpired(c, now)).toBe(expired);
  });

  it('lists the expired certificates of a vendor', () => {
    const soc2 = cert('2026-06-30', { kind: 'soc2-type2' });
    const iso = cert('2027-03-14');
    const pci = cert('2026-11-28', { kind: 'pci-dss' });
    expect(expiredCertificates({ certifications: [soc2, iso, pci] }, '2026-11-29T00:00:00.000Z')).toEqual([soc2, pci]);
    expect(expiredCertificates({ certifications: [] }, '2026-11-29T00:00:00.000Z')).toEqual([]);
  });
});

describe('atRisk', () => {
  const NOW = '2026-11-29T12:00:00.000Z';
  const item = (over: Partial<RemediationItem> = {}): RemediationItem => ({ id: 'vrv_1-c1', description: 'Sign the DPA', owner: 'prn_owner', dueAt: '2026-12-31T00:00:00.000Z', covers: [], ...over });
  const vendor = monitoredVendor;


  it('is not at risk when all is in order', () => {
    expect(atRisk(vendor(), NOW)).toEqual({ atRisk: false, reasons: [] });
  });

  it.each([
    ['an overdue remediation item', { remediation: [item({ dueAt: '2026-11-01T00:00:00.000Z' })] }, ['1 remediation item(s) overdue: vrv_1-c1 (due 2026-11-01T00:00:00.000Z)']],
    ['an expired certificate', { certifications: [cert('2026-10-31', { kind: 'soc2-type2' })] }, ['certificate soc2-type2 expired: valid until 2026-10-31']],
    [
      'a reassessment overdue (low tier: 36 months)',
      { lastApprovedAt: '2023-11-28T12:00:00.000Z' },
      ['reassessment overdue: due 2026-11-28T12:00:00.000Z (low tier, every 36 months)'],
    ],
    ['a DPA missing with nothing to cover it', { dpa: { status: 'negotiating' } }, ['a DPA is required (GDPR Art. 28(3)) and its status is "negotiating", and no open remediation item covers it']],
    ['a DPA missing, covered only by a completed item', { dpa: { status: 'none' }, remediation: [item({ covers: ['dpa'], completedAt: '2026-02-01T00:00:00.000Z' })] }, [
      'a DPA is required (GDPR Art. 28(3)) and its status is "none", and no open remediation item covers it',
    ]],
    ['a DPA missing, covered by an overdue item: the overdue item says it', { dpa: { status: 'none' }, remediation: [item({ covers: ['dpa'], dueAt: '2026-11-01T00:00:00.000Z' })] }, [
      '1 remediation item(s) overdue: vrv_1-c1 (due 2026-11-01T00:00:00.000Z)',
    ]],
  ] as Array<[string, Partial<Vendor>, string[]]>)('is at risk with %s', (_label, over, reasons) => {
    expect(atRisk(vendor(over), NOW)).toEqual({ atRisk: true, reasons });
  });

  it.each([
    ['a DPA missing but covered by an open item', { dpa: { status: 'none' }, remediation: [item({ covers: ['dpa'] })] }],
    ['a remediation item due exactly now', { remediation: [item({ dueAt: NOW })] }],
    ['a reassessment due exactly now', { lastApprovedAt: '2023-11-29T12:00:00.000Z' }],
    ['no approval recorded', { lastApprovedAt: undefined }],
  ] as Array<[string, Partial<Vendor>]>)('is not at risk with %s', (_label, over) => {
    expect(atRisk(vendor(over), NOW).atRisk).toBe(false);
  });

  it('reads the cadence of the current inherent tier, overridable', () => {
    // Admin access makes the vendor high: 12 months, so approved on 10 January 2026 it is due on 10 January 2027.
    expect(atRisk(vendor({ systemAccess: 'admin' }), NOW).atRisk).toBe(false);
    expect(atRisk(vendor({ systemAccess: 'admin', lastApprovedAt: '2025-11-01T00:00:00.000Z' }), NOW).reasons).toEqual(['reassessment overdue: due 2026-11-01T00:00:00.000Z (high tier, every 12 months)']);
    expect(atRisk(vendor({ systemAccess: 'admin', lastApprovedAt: '2025-11-01T00:00:00.000Z' }), NOW, { high: 13 }).atRisk).toBe(false);
  });

  it('lists every reason at once', () => {
    const v = vendor({ dpa: { status: 'none' }, certifications: [cert('2026-01-01')], remediation: [item({ dueAt: '2026-11-01T00:00:00.000Z' })], lastApprovedAt: '2020-01-01T00:00:00.000Z' });
    expect(atRisk(v, NOW).reasons).toHaveLength(4);
  });

  it.each(['prospective', 'under-review', 'rejected', 'offboarding', 'offboarded'] as VendorStatus[])('never flags a %s vendor', (status) => {
    expect(atRisk(vendor({ status, dpa: { status: 'none' }, remediation: [item({ dueAt: '2020-01-01T00:00:00.000Z' })] }), NOW)).toEqual({ atRisk: false, reasons: [] });
  });

  it.each(['approved', 'approved-with-conditions', 'monitoring'] as VendorStatus[])('watches a %s vendor', (status) => {
    expect(atRisk(vendor({ status, dpa: { status: 'none' } }), NOW).atRisk).toBe(true);
  });
});
