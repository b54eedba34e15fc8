import type { Certification, Vendor } from '../../domain/vendor/types';

/** An ISO 27001 certificate issued 2024-03-15, expiring on `expiresOn`. */
export const cert = (expiresOn: string, over: Partial<Certification> = {}): Certification => ({ kind: 'iso27001', issuedOn: '2024-03-15', expiresOn, ...over });

/**
 * A monitored vendor with everything in order: contact data of 500 people in Germany, no system access, low
 * criticality (4 + 1 + 0 + 0 + 0 = 5, low tier, 36-month cadence), DPA and contract signed, approved 2026-01-10.
 */
export const monitoredVendor = (over: Partial<Vendor> = {}): Vendor => ({
  vendorId: 'ven_1',
  name: 'Acme',
  description: '',
  services: [],
  internalOwner: 'prn_owner',
  contacts: [],
  dataCategories: ['contact'],
  dataVolume: 500,
  systemAccess: 'none',
  criticality: 'low',
  countries: ['DE'],
  dpfCertified: false,
  subProcessors: [],
  contract: { status: 'signed' },
  dpa: { status: 'signed' },
  certifications: [cert('2027-03-14')],
  status: 'monitoring',
  lastApprovedAt: '2026-01-10T00:00:00.000Z',
  remediation: [],
  ...over,
});
