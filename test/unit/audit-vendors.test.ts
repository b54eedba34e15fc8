import type { FindingDraft } from '../../domain/audit/types';
import { inspectVendor, VENDOR_RULES } from '../../domain/audit/vendors';
import type { RemediationItem, Vendor, VendorStatus } from '../../domain/vendor/types';
import { cert, monitoredVendor } from '../harness/vendor-fixture';

const NOW = '2026-03-15T12:00:00.000Z';
const rules = (findings: FindingDraft[]) => findings.map((f) => f.rule);

const item = (over: Partial<RemediationItem> = {}): RemediationItem => ({ id: 'vrv_1-c1', description: 'Sign the DPA', owner: 'prn_owner', dueAt: '2026-06-01T00:00:00.000Z', covers: ['dpa'], ...over });

// Contact data of 500 people in Germany, no system access, low criticality: 4 + 1 + 0 + 0 + 0 = 5, low tier (36 months).
const vendor = (over: Partial<Vendor> = {}): Vendor => monitoredVendor({ contacts: [{ name: 'Bob Builder', email: 'bob@acme.example', role: 'security' }], ...over });

/** Everything that can be wrong with a vendor at NOW. */
const neglected = (status: VendorStatus) =>
  vendor({ status, lastApprovedAt: '2020-01-01T00:00:00.000Z', certifications: [cert('2026-01-31')], dpa: { status: 'none' }, countries: ['IN'] });

describe('inspectVendor', () => {
  it('finds nothing wrong with a vendor in order', () => {
    expect(inspectVendor(vendor(), NOW)).toEqual([]);
  });

  describe('reassessment', () => {
    it.each([
      // Low tier: 36 months after 15 March 2023 12:00 is NOW.
      ['due exactly now', '2023-03-15T12:00:00.000Z', NOW, false],
      ['due a millisecond ago', '2023-03-15T11:59:59.999Z', NOW, true],
      ['due in a millisecond', '2023-03-15T12:00:00.001Z', NOW, false],
    ])('%s: overdue %s', (_label, lastApprovedAt, now, overdue) => {
      expect(rules(inspectVendor(vendor({ lastApprovedAt }), now))).toEqual(overdue ? ['reassessment-overdue'] : []);
    });

    it('reports it as high, with the tier and the due instant', () => {
      expect(inspectVendor(vendor({ lastApprovedAt: '2023-01-31T09:00:00.000Z' }), NOW)).toEqual([
        {
          check: 'vendors',
          rule: 'reassessment-overdue',
          severity: 'high',
          recordType: 'vendor',
          recordIds: ['ven_1'],
          recommendation: VENDOR_RULES['reassessment-overdue'].recommendation,
          detail: { tier: 'low', due: '2026-01-31T09:00:00.000Z' },
        },
      ]);
    });

    it('follows the tier of the current profile, clamping month ends (high: 12 months from 29 February)', () => {
      // Admin access raises the tier to at least high; 29 February 2024 + 12 months is 28 February 2025.
      const v = vendor({ systemAccess: 'admin', lastApprovedAt: '2024-02-29T10:00:00.000Z' });
      expect(inspectVendor(v, '2025-02-28T10:00:00.000Z')).toEqual([]);
      expect(inspectVendor(v, '2025-02-28T10:00:00.001Z')).toEqual([expect.objectContaining({ rule: 'reassessment-overdue', detail: { tier: 'high', due: '2025-02-28T10:00:00.000Z' } })]);
    });

    it('has nothing to count from without an approval date', () => {
      expect(inspectVendor(vendor({ lastApprovedAt: undefined }), NOW)).toEqual([]);
    });
  });

  describe('certificates', () => {
    it.each([
      ['valid through the whole printed day', '2026-03-15', NOW, []],
      ['expired at the start of the next day, UTC', '2026-03-14', '2026-03-15T00:00:00.000Z', ['certificate-expired']],
      ['valid in the last millisecond of its day', '2026-03-14', '2026-03-14T23:59:59.999Z', []],
      ['expired after 29 February', '2028-02-29', '2028-03-01T00:00:00.000Z', ['certificate-expired']],
      ['valid on 29 February', '2028-02-29', '2028-02-29T23:59:59.999Z', []],
    ])('a certificate %s', (_label, expiresOn, now, expected) => {
      expect(rules(inspectVendor(vendor({ certifications: [cert(expiresOn)], lastApprovedAt: now }), now))).toEqual(expected);
    });

    it('reports all expired certificates of a vendor in one medium finding, by label or kind', () => {
      const certifications = [cert('2026-01-31'), cert('2027-01-01', { kind: 'soc2-type2' }), cert('2026-02-28', { kind: 'other', label: 'Bridge letter' })];
      expect(inspectVendor(vendor({ certifications }), NOW)).toEqual([
        {
          check: 'vendors',
          rule: 'certificate-expired',
          severity: 'medium',
          recordType: 'vendor',
          recordIds: ['ven_1'],
          recommendation: VENDOR_RULES['certificate-expired'].recommendation,
          detail: { count: 2, certificates: 'iso27001 until 2026-01-31; Bridge letter until 2026-02-28' },
        },
      ]);
    });

    it('has nothing to report for a vendor without certificates', () => {
      expect(inspectVendor(vendor({ certifications: [] }), NOW)).toEqual([]);
    });
  });

  describe('contracts', () => {
    it.each(['none', 'negotiating'] as const)('reports a DPA that is %s as high', (status) => {
      expect(inspectVendor(vendor({ dpa: { status } }), NOW)).toEqual([
        {
          check: 'vendors',
          rule: 'dpa-missing',
          severity: 'high',
          recordType: 'vendor',
          recordIds: ['ven_1'],
          recommendation: VENDOR_RULES['dpa-missing'].recommendation,
          detail: { reason: `a DPA is required (GDPR Art. 28(3)) and its status is "${status}"` },
        },
      ]);
    });

    it('needs no DPA from a vendor without personal data', () => {
      expect(inspectVendor(vendor({ dataCategories: ['business-internal'], dpa: { status: 'none' }, countries: ['IN'] }), NOW)).toEqual([]);
    });

    it('names the open remediation item that plans the fix, and still reports the gap', () => {
      const remediation = [item({ id: 'done', completedAt: '2026-02-01T00:00:00.000Z' }), item({ id: 'other', covers: ['transfer-mechanism'] }), item({ id: 'open' })];
      expect(inspectVendor(vendor({ dpa: { status: 'none' }, remediation }), NOW)[0].detail).toMatchObject({ remediationId: 'open' });
    });

    it('names no remediation item when only a completed one covers the gap', () => {
      const [finding] = inspectVendor(vendor({ dpa: { status: 'none' }, remediation: [item({ completedAt: '2026-02-01T00:00:00.000Z' })] }), NOW);
      expect(finding.detail).not.toHaveProperty('remediationId');
    });

    it('reports a transfer to a third country without a mechanism as high', () => {
      expect(inspectVendor(vendor({ countries: ['IN'] }), NOW)).toEqual([
        {
          check: 'vendors',
          rule: 'transfer-mechanism-missing',
          severity: 'high',
          recordType: 'vendor',
          recordIds: ['ven_1'],
          recommendation: VENDOR_RULES['transfer-mechanism-missing'].recommendation,
          detail: { reason: 'a transfer mechanism is required (GDPR Art. 46) for IN and none is recorded' },
        },
      ]);
    });

    it.each([
      ['a recorded mechanism', { countries: ['IN'], transferMechanism: { kind: 'sccs' as const } }],
      ['an adequate country', { countries: ['JP'] }],
      ['a DPF-certified US vendor', { countries: ['US'], dpfCertified: true }],
    ])('accepts a transfer with %s', (_label, over) => {
      expect(inspectVendor(vendor(over), NOW)).toEqual([]);
    });
  });

  describe('statuses', () => {
    it.each(['approved', 'approved-with-conditions', 'monitoring'] as VendorStatus[])('judges everything of a %s vendor, in a fixed order', (status) => {
      expect(rules(inspectVendor(neglected(status), NOW))).toEqual(['reassessment-overdue', 'certificate-expired', 'dpa-missing', 'transfer-mechanism-missing']);
    });

    it('judges only the contracts of a vendor being offboarded: it still holds our data', () => {
      expect(rules(inspectVendor(neglected('offboarding'), NOW))).toEqual(['dpa-missing', 'transfer-mechanism-missing']);
    });

    it.each(['prospective', 'under-review', 'rejected', 'offboarded'] as VendorStatus[])('reports nothing about a %s vendor', (status) => {
      expect(inspectVendor(neglected(status), NOW)).toEqual([]);
    });
  });

  it("keeps the vendor's contacts out of its findings", () => {
    expect(JSON.stringify(inspectVendor(neglected('monitoring'), NOW))).not.toMatch(/Bob|acme\.example/);
  });

  it.each(['yesterday', '2026-03-15', '2026-03-15T12:00:00'])('throws a RangeError for an unreadable now (%s)', (now) => {
    expect(() => inspectVendor(vendor(), now)).toThrow(RangeError);
  });
});
