import { REGISTER_COLUMNS, registerRow, vendorProblems } from '../../domain/vendor/register';
import type { Vendor } from '../../domain/vendor/types';

const SHA = 'ab'.repeat(32);

const vendor = (over: Partial<Vendor> = {}): Vendor => ({
  vendorId: 'ven_1',
  name: 'Mailer',
  legalName: 'Mailer Inc.',
  website: 'https://mailer.example',
  description: 'E-mail campaigns',
  services: ['newsletters', 'transactional e-mail'],
  internalOwner: 'prn_owner',
  contacts: [{ name: 'Dana Sec', email: 'security@mailer.example', role: 'security' }],
  dataCategories: ['contact', 'usage'],
  dataVolume: 40_000,
  systemAccess: 'none',
  criticality: 'medium',
  countries: ['US'],
  dpfCertified: false,
  subProcessors: [{ name: 'Cloud', country: 'IE', service: 'hosting' }],
  contract: { status: 'signed', startsOn: '2026-01-01', endsOn: '2027-12-31' },
  dpa: { status: 'signed', signedOn: '2026-01-01', evidence: { name: 'dpa.pdf', sha256: SHA } },
  transferMechanism: { kind: 'sccs', signedOn: '2026-01-01' },
  certifications: [
    { kind: 'soc2-type2', issuedOn: '2026-02-01', expiresOn: '2027-01-31' },
    { kind: 'iso27001', issuedOn: '2025-06-01', expiresOn: '2026-12-15' },
  ],
  status: 'monitoring',
  lastApprovedAt: '2026-01-10T00:00:00.000Z',
  remediation: [
    { id: 'vrv_1-c1', description: 'Enable SSO', owner: 'prn_it', dueAt: '2026-06-01T00:00:00.000Z', covers: [] },
    { id: 'vrv_1-c2', description: 'Pen test', owner: 'prn_it', dueAt: '2026-03-01T00:00:00.000Z', covers: [], completedAt: '2026-02-20T00:00:00.000Z' },
  ],
  ...over,
});

describe('registerRow', () => {
  it('flattens the record with what is derived from it, in column order', () => {
    const row = registerRow(vendor());
    expect(Object.keys(row)).toEqual([...REGISTER_COLUMNS]);
    expect(row).toEqual({
      vendorId: 'ven_1',
      name: 'Mailer',
      legalName: 'Mailer Inc.',
      website: 'https://mailer.example',
      status: 'monitoring',
      services: 'newsletters; transactional e-mail',
      internalOwner: 'prn_owner',
      contacts: 'security: Dana Sec <security@mailer.example>',
      dataCategories: 'contact; usage',
      specialCategories: '',
      sensitivity: 'personal',
      dataVolume: 40_000,
      volumeBand: '1k-to-100k',
      systemAccess: 'none',
      criticality: 'medium',
      countries: 'US',
      subProcessors: 'Cloud (IE): hosting',
      transfers: 'third-country',
      dpfCertified: false,
      inherentTier: 'medium',
      inherentScore: 11,
      dpaRequired: true,
      dpaStatus: 'signed',
      transferMechanismRequired: true,
      transferMechanism: 'sccs',
      missingRequirements: '',
      contractStatus: 'signed',
      contractEndsOn: '2027-12-31',
      certifications: 'soc2-type2 until 2027-01-31; iso27001 until 2026-12-15',
      nextCertificateExpiry: '2026-12-15',
      lastApprovedAt: '2026-01-10T00:00:00.000Z',
      openRemediation: 1,
    });
  });

  it('uses null for what is not recorded, and lists special categories and gaps', () => {
    const row = registerRow(
      vendor({
        legalName: undefined,
        website: undefined,
        dataCategories: ['health', 'contact', 'biometric'],
        transferMechanism: undefined,
        dpa: { status: 'negotiating' },
        contract: { status: 'negotiating' },
        certifications: [],
        lastApprovedAt: undefined,
        remediation: [],
        status: 'under-review',
      }),
    );
    expect(row).toEqual(
      expect.objectContaining({
        legalName: null,
        website: null,
        specialCategories: 'health; biometric',
        sensitivity: 'sensitive',
        transferMechanism: null,
        missingRequirements: 'dpa; transfer-mechanism',
        contractEndsOn: null,
        certifications: '',
        nextCertificateExpiry: null,
        lastApprovedAt: null,
        openRemediation: 0,
      }),
    );
  });

  it('holds only flat values', () => {
    for (const value of Object.values(registerRow(vendor()))) expect(['string', 'number', 'boolean']).toContain(value === null ? 'string' : typeof value);
  });
});

describe('vendorProblems', () => {
  it('accepts a complete record', () => {
    expect(vendorProblems(vendor())).toEqual([]);
  });

  it.each([
    ['a blank name', { name: ' ' }, 'name', /required/],
    ['no owner', { internalOwner: '' }, 'internalOwner', /required/],
    ['an unknown status', { status: 'active' as never }, 'status', /must be one of/],
    ['a blank service', { services: ['ok', ''] }, 'services[1]', /blank/],
    ['a contact without e-mail', { contacts: [{ name: 'A', email: 'nope', role: 'other' }] }, 'contacts[0].email', /e-mail/],
    ['a contact without a name', { contacts: [{ name: '', email: 'a@b.example', role: 'other' }] }, 'contacts[0].name', /required/],
    ['an unknown data category', { dataCategories: ['contact', 'dna' as never] }, 'dataCategories[1]', /not a data category/],
    ['a category twice', { dataCategories: ['contact', 'contact'] }, 'dataCategories', /twice/],
    ['a negative volume', { dataVolume: -1 }, 'dataVolume', /whole number/],
    ['a fractional volume', { dataVolume: 2.5 }, 'dataVolume', /whole number/],
    ['a volume without categories', { dataCategories: [], dataVolume: 10 }, 'dataVolume', /no data category/],
    ['an unknown access level', { systemAccess: 'root' as never }, 'systemAccess', /must be one of/],
    ['an unknown criticality', { criticality: 'extreme' as never }, 'criticality', /must be one of/],
    ['UK for GB', { countries: ['UK'] }, 'countries[0]', /ISO 3166-1/],
    ['a sub-processor without a country code', { subProcessors: [{ name: 'S', country: 'Germany', service: 'x' }] }, 'subProcessors[0].country', /ISO 3166-1/],
    ['a sub-processor without a service', { subProcessors: [{ name: 'S', country: 'DE', service: '' }] }, 'subProcessors[0].service', /required/],
    ['a contract ending before it starts', { contract: { status: 'signed', startsOn: '2026-01-01', endsOn: '2025-12-31' } }, 'contract.endsOn', /before startsOn/],
    ['a contract date that does not exist', { contract: { status: 'signed', endsOn: '2026-02-29' } }, 'contract.endsOn', /ISO date/],
    ['a DPA with a bad hash', { dpa: { status: 'signed', evidence: { name: 'dpa.pdf', sha256: 'x' } } }, 'dpa.evidence', /sha256/],
    ['an unknown transfer mechanism', { transferMechanism: { kind: 'consent' as never } }, 'transferMechanism.kind', /must be one of/],
    ['a certification of unknown kind', { certifications: [{ kind: 'iso9001' as never, issuedOn: '2026-01-01', expiresOn: '2027-01-01' }] }, 'certifications[0].kind', /must be one of/],
    ['an "other" certification without a label', { certifications: [{ kind: 'other', issuedOn: '2026-01-01', expiresOn: '2027-01-01' }] }, 'certifications[0].label', /required/],
    ['a certification expiring before issue', { certifications: [{ kind: 'iso27001', issuedOn: '2026-01-01', expiresOn: '2025-01-01' }] }, 'certifications[0].expiresOn', /before issuedOn/],
    ['a certification with a timestamp', { certifications: [{ kind: 'iso27001', issuedOn: '2026-01-01T00:00:00Z', expiresOn: '2027-01-01' }] }, 'certifications[0].issuedOn', /ISO date/],
    ['a bare date for lastApprovedAt', { lastApprovedAt: '2026-01-10' }, 'lastApprovedAt', /timestamp/],
    [
      'a duplicate remediation id',
      { remediation: [vendor().remediation[0], { ...vendor().remediation[0], description: 'again' }] },
      'remediation[1].id',
      /unique/,
    ],
    ['a remediation item without a due instant', { remediation: [{ ...vendor().remediation[0], dueAt: 'soon' }] }, 'remediation[0].dueAt', /timestamp/],
  ] as Array<[string, Partial<Vendor>, string, RegExp]>)('refuses %s', (_label, over, field, message) => {
    expect(vendorProblems(vendor(over))).toContainEqual({ field, message: expect.stringMatching(message) });
  });
});
