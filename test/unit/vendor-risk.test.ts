import { EEA_COUNTRIES, ISO_COUNTRIES } from '../../domain/countries';
import { ADEQUACY, adequacyOf } from '../../domain/vendor/adequacy';
import {
  CATEGORY_SENSITIVITY,
  FLOORS,
  TIER_FROM,
  VOLUME_BAND_FROM,
  WEIGHTS,
  destinations,
  inherentRisk,
  maxTier,
  missingRequirements,
  processesPersonalData,
  requirements,
  sensitivityOf,
  shiftTier,
  tierForScore,
  transferClass,
  volumeBand,
  type TransferClass,
  type VolumeBand,
} from '../../domain/vendor/risk';
import { DATA_CATEGORIES, SPECIAL_CATEGORIES, type DataCategory, type Sensitivity, type SubProcessor, type Tier, type Vendor, type VendorProfile } from '../../domain/vendor/types';

const profile = (over: Partial<VendorProfile> = {}): VendorProfile => ({
  dataCategories: [],
  dataVolume: 0,
  systemAccess: 'none',
  criticality: 'low',
  countries: [],
  dpfCertified: false,
  subProcessors: [],
  ...over,
});

const vendor = (over: Partial<Vendor> = {}): Vendor => ({
  ...profile(),
  vendorId: 'ven_1',
  name: 'Acme',
  description: 'Newsletters',
  services: ['newsletters'],
  internalOwner: 'prn_owner',
  contacts: [],
  contract: { status: 'signed' },
  dpa: { status: 'none' },
  certifications: [],
  status: 'under-review',
  remediation: [],
  ...over,
});

const sub = (country: string, dpfCertified?: boolean): SubProcessor => ({ name: `Sub ${country}`, country, service: 'hosting', ...(dpfCertified === undefined ? {} : { dpfCertified }) });

describe('the scoring table', () => {
  it('is the documented one', () => {
    expect(WEIGHTS).toEqual({
      sensitivity: { none: 0, internal: 2, personal: 4, sensitive: 8 },
      volume: { none: 0, 'under-1k': 1, '1k-to-100k': 2, '100k-to-1m': 3, '1m-plus': 4 },
      access: { none: 0, read: 2, write: 4, admin: 6, network: 6 },
      criticality: { low: 0, medium: 2, high: 4, critical: 6 },
      transfers: { 'within-eea': 0, adequate: 1, 'third-country': 3 },
    });
    expect(TIER_FROM).toEqual({ low: 0, medium: 7, high: 13, critical: 19 });
    expect(VOLUME_BAND_FROM).toEqual({ none: 0, 'under-1k': 1, '1k-to-100k': 1000, '100k-to-1m': 100000, '1m-plus': 1000000 });
    expect(FLOORS.map((f) => [f.id, f.atLeast])).toEqual([
      ['privileged-access', 'high'],
      ['business-critical', 'high'],
      ['large-scale-sensitive', 'high'],
    ]);
  });

  it('gives every data category a sensitivity, sensitive for every GDPR special category', () => {
    expect(Object.keys(CATEGORY_SENSITIVITY).sort()).toEqual([...DATA_CATEGORIES].sort());
    for (const c of SPECIAL_CATEGORIES) expect(CATEGORY_SENSITIVITY[c]).toBe('sensitive');
  });
});

describe('volumeBand', () => {
  it.each([
    [0, 'none'],
    [1, 'under-1k'],
    [999, 'under-1k'],
    [1000, '1k-to-100k'],
    [99_999, '1k-to-100k'],
    [100_000, '100k-to-1m'],
    [999_999, '100k-to-1m'],
    [1_000_000, '1m-plus'],
    [80_000_000, '1m-plus'],
  ] as Array<[number, VolumeBand]>)('%i is %s', (volume, band) => {
    expect(volumeBand(volume)).toBe(band);
  });
});

describe('tierForScore', () => {
  it.each([
    [0, 'low'],
    [6, 'low'],
    [7, 'medium'],
    [12, 'medium'],
    [13, 'high'],
    [18, 'high'],
    [19, 'critical'],
    [27, 'critical'],
  ] as Array<[number, Tier]>)('%i is %s', (score, tier) => {
    expect(tierForScore(score)).toBe(tier);
  });
});

describe('shiftTier and maxTier', () => {
  it.each([
    ['low', 1, 'medium'],
    ['medium', 1, 'high'],
    ['high', 1, 'critical'],
    ['critical', 1, 'critical'],
    ['critical', -1, 'high'],
    ['high', -1, 'medium'],
    ['medium', -1, 'low'],
    ['low', -1, 'low'],
    ['low', 3, 'critical'],
    ['critical', -5, 'low'],
    ['high', 0, 'high'],
  ] as Array<[Tier, number, Tier]>)('%s shifted by %i is %s', (tier, steps, expected) => {
    expect(shiftTier(tier, steps)).toBe(expected);
  });

  it.each([
    ['low', 'high', 'high'],
    ['high', 'low', 'high'],
    ['critical', 'high', 'critical'],
    ['medium', 'medium', 'medium'],
  ] as Array<[Tier, Tier, Tier]>)('max of %s and %s is %s', (a, b, expected) => {
    expect(maxTier(a, b)).toBe(expected);
  });
});

describe('sensitivityOf', () => {
  it.each([
    [[], 'none', []],
    [['business-internal'], 'internal', ['business-internal']],
    [['business-internal', 'contact'], 'personal', ['contact']],
    [['contact', 'usage', 'contact'], 'personal', ['contact', 'usage']],
    [['contact', 'health'], 'sensitive', ['health']],
    [['financial', 'credentials', 'contact'], 'sensitive', ['financial', 'credentials']],
    [['criminal-offences'], 'sensitive', ['criminal-offences']],
    [['children'], 'sensitive', ['children']],
    [['government-id'], 'sensitive', ['government-id']],
  ] as Array<[DataCategory[], Sensitivity, DataCategory[]]>)('%j is %s because of %j', (categories, sensitivity, because) => {
    expect(sensitivityOf(categories)).toEqual({ sensitivity, because });
  });

  it.each([
    [[], false],
    [['business-internal'], false],
    [['business-internal', 'usage'], true],
    [['health'], true],
  ] as Array<[DataCategory[], boolean]>)('%j processes personal data: %s', (categories, personal) => {
    expect(processesPersonalData(categories)).toBe(personal);
  });
});

describe('transfers', () => {
  it.each([
    ['no countries', profile(), 'within-eea'],
    ['the EEA including IS, LI, NO', profile({ countries: ['DE', 'FR', 'IS', 'LI', 'NO'] }), 'within-eea'],
    ['the UK', profile({ countries: ['DE', 'GB'] }), 'adequate'],
    ['Switzerland and Japan', profile({ countries: ['CH', 'JP'] }), 'adequate'],
    ['Canada (commercial organisations)', profile({ countries: ['CA'] }), 'adequate'],
    ['the US, vendor not DPF-certified', profile({ countries: ['US'] }), 'third-country'],
    ['the US, vendor DPF-certified', profile({ countries: ['US'], dpfCertified: true }), 'adequate'],
    ['India', profile({ countries: ['IN'] }), 'third-country'],
    ['an adequate and a third country: the worst counts', profile({ countries: ['CH', 'IN', 'DE'] }), 'third-country'],
    ['an unknown code is never safe', profile({ countries: ['UK'] }), 'third-country'],
    ['an EEA vendor with a sub-processor in India', profile({ countries: ['DE'], subProcessors: [sub('IN')] }), 'third-country'],
    ['a certified vendor with an uncertified US sub-processor', profile({ countries: ['US'], dpfCertified: true, subProcessors: [sub('US')] }), 'third-country'],
    ['an uncertified vendor with a certified US sub-processor', profile({ countries: ['DE'], subProcessors: [sub('US', true)] }), 'adequate'],
    ['an explicitly uncertified US sub-processor', profile({ countries: ['DE'], subProcessors: [sub('US', false)] }), 'third-country'],
  ] as Array<[string, VendorProfile, TransferClass]>)('%s: %s', (_label, p, expected) => {
    expect(transferClass(p)).toBe(expected);
  });

  it.each(ADEQUACY.filter((a) => !a.requiresDpf).map((a) => a.country))('%s has an adequacy decision', (country) => {
    expect(transferClass(profile({ countries: [country] }))).toBe('adequate');
  });

  it('explains each destination, once per country and recipient', () => {
    const p = profile({ countries: ['DE', 'US', 'DE'], subProcessors: [sub('IN'), sub('IN')] });
    expect(destinations(p)).toEqual([
      { country: 'DE', recipient: 'vendor', class: 'within-eea', because: 'DE (the vendor): within the EEA' },
      {
        country: 'US',
        recipient: 'vendor',
        class: 'third-country',
        because: 'US (the vendor): the adequacy decision covers only organisations certified under the EU-US Data Privacy Framework, and the vendor is not certified',
      },
      { country: 'IN', recipient: 'Sub IN', class: 'third-country', because: 'IN (sub-processor Sub IN): no EU adequacy decision' },
    ]);
    expect(destinations(profile({ countries: ['UK'] }))[0].because).toBe('UK (the vendor): not an ISO country code, treated as a third country without adequacy');
    expect(destinations(profile({ countries: ['CA'] }))[0].because).toBe(
      'CA (the vendor): adequacy decision, Commission Decision 2002/2/EC, for commercial organisations subject to PIPEDA',
    );
  });
});

describe('the adequacy list', () => {
  it('holds ISO codes outside the EEA, each once, each with its decision', () => {
    const codes = ADEQUACY.map((a) => a.country);
    expect(new Set(codes).size).toBe(codes.length);
    for (const a of ADEQUACY) {
      expect(ISO_COUNTRIES.has(a.country)).toBe(true);
      expect(EEA_COUNTRIES.has(a.country)).toBe(false);
      expect(a.decision).toMatch(/Decision/);
    }
  });

  it.each(['GB', 'CH', 'JP', 'KR', 'NZ', 'IL', 'CA', 'AR', 'UY', 'AD', 'FO', 'GG', 'IM', 'JE', 'US', 'BR'])('includes %s', (country) => {
    expect(adequacyOf(country)).toBeDefined();
  });

  it('limits the US to DPF-certified organisations and no other country', () => {
    expect(ADEQUACY.filter((a) => a.requiresDpf).map((a) => a.country)).toEqual(['US']);
  });

  it.each(['IN', 'CN', 'AU', 'SG', 'DE', 'XX'])('does not include %s', (country) => {
    expect(adequacyOf(country)).toBeUndefined();
  });
});

describe('inherentRisk', () => {
  it.each([
    // [label, profile, score, tier]
    ['nothing at all', profile(), 0, 'low'],
    ['6: internal data, read access, medium criticality', profile({ dataCategories: ['business-internal'], systemAccess: 'read', criticality: 'medium' }), 6, 'low'],
    ['7: the same with an adequate country', profile({ dataCategories: ['business-internal'], systemAccess: 'read', criticality: 'medium', countries: ['GB'] }), 7, 'medium'],
    ['12: personal data of 1,000, write access, medium', profile({ dataCategories: ['contact'], dataVolume: 1000, systemAccess: 'write', criticality: 'medium' }), 12, 'medium'],
    ['13: the same with an adequate country', profile({ dataCategories: ['contact'], dataVolume: 1000, systemAccess: 'write', criticality: 'medium', countries: ['CH'] }), 13, 'high'],
    ['12: one record less changes nothing here', profile({ dataCategories: ['contact'], dataVolume: 999, systemAccess: 'write', criticality: 'medium', countries: ['CH'] }), 12, 'medium'],
    ['18: personal data of 999,999, write, high, third country', profile({ dataCategories: ['contact'], dataVolume: 999_999, systemAccess: 'write', criticality: 'high', countries: ['IN'] }), 18, 'high'],
    ['19: one more record', profile({ dataCategories: ['contact'], dataVolume: 1_000_000, systemAccess: 'write', criticality: 'high', countries: ['IN'] }), 19, 'critical'],
    ['27: everything at its worst', profile({ dataCategories: ['health', 'contact'], dataVolume: 5_000_000, systemAccess: 'network', criticality: 'critical', countries: ['CN'] }), 27, 'critical'],
    ['newsletter tool: contacts of 20,000, no access, medium, US with DPF', profile({ dataCategories: ['contact'], dataVolume: 20_000, criticality: 'medium', countries: ['US'], dpfCertified: true }), 9, 'medium'],
    ['payroll: financial and government ids of 500 staff, high, EEA', profile({ dataCategories: ['financial', 'government-id', 'employment'], dataVolume: 500, criticality: 'high', countries: ['DE'] }), 13, 'high'],
    ['cleaning company: nothing of ours, low', profile({ criticality: 'low' }), 0, 'low'],
  ] as Array<[string, VendorProfile, number, Tier]>)('%s', (_label, p, score, tier) => {
    const result = inherentRisk(p);
    expect(result.score).toBe(score);
    expect(result.tier).toBe(tier);
  });

  it.each([
    // [label, profile, score, tier, floor reason]
    ['admin access alone', profile({ systemAccess: 'admin' }), 6, 'high', /administrative or network access/],
    ['network access alone', profile({ systemAccess: 'network' }), 6, 'high', /administrative or network access/],
    ['critical business criticality alone', profile({ criticality: 'critical' }), 6, 'high', /critical vendor fails/],
    ['health data of exactly 100,000', profile({ dataCategories: ['health'], dataVolume: 100_000 }), 11, 'high', /large-scale/],
    ['credentials of 2 million', profile({ dataCategories: ['credentials'], dataVolume: 2_000_000 }), 12, 'high', /large-scale/],
  ] as Array<[string, VendorProfile, number, Tier, RegExp]>)('floor: %s', (_label, p, score, tier, why) => {
    const result = inherentRisk(p);
    expect(result.score).toBe(score);
    expect(result.tier).toBe(tier);
    expect(result.reasons[result.reasons.length - 1]).toMatch(why);
  });

  it.each([
    ['health data of 99,999 is not large-scale', profile({ dataCategories: ['health'], dataVolume: 99_999 }), 10, 'medium'],
    ['personal (not sensitive) data of 5 million', profile({ dataCategories: ['contact'], dataVolume: 5_000_000 }), 8, 'medium'],
    ['write access is not privileged', profile({ systemAccess: 'write' }), 4, 'low'],
    ['high criticality is not critical', profile({ criticality: 'high' }), 4, 'low'],
  ] as Array<[string, VendorProfile, number, Tier]>)('no floor: %s', (_label, p, score, tier) => {
    const result = inherentRisk(p);
    expect(result).toEqual(expect.objectContaining({ score, tier }));
    expect(result.reasons.some((r) => r.startsWith('raised'))).toBe(false);
  });

  it('never lowers a tier through a floor', () => {
    const result = inherentRisk(profile({ dataCategories: ['health'], dataVolume: 2_000_000, systemAccess: 'admin', criticality: 'critical', countries: ['IN'] }));
    expect(result.tier).toBe('critical');
    expect(result.reasons.some((r) => r.startsWith('raised'))).toBe(false);
  });

  it('explains every point of the sum', () => {
    const result = inherentRisk(profile({ dataCategories: ['health', 'contact'], dataVolume: 150_000, systemAccess: 'write', criticality: 'medium', countries: ['DE', 'IN'] }));
    expect(result).toEqual({
      score: 20,
      tier: 'critical',
      reasons: [
        'data sensitivity sensitive (health): +8',
        'data volume 150000 (100k-to-1m): +3',
        'system access write: +4',
        'business criticality medium: +2',
        'transfers third-country (IN (the vendor): no EU adequacy decision): +3',
        'score 20: critical (low from 0, medium from 7, high from 13, critical from 19)',
      ],
    });
  });

  it('names the floor that raised the tier', () => {
    expect(inherentRisk(profile({ systemAccess: 'admin' })).reasons).toEqual([
      'data sensitivity none: +0',
      'data volume 0 (none): +0',
      'system access admin: +6',
      'business criticality low: +0',
      'transfers within-eea: +0',
      'score 6: low (low from 0, medium from 7, high from 13, critical from 19)',
      'raised to high: administrative or network access reaches beyond the data the vendor is given',
    ]);
  });
});

describe('requirements', () => {
  it.each([
    // [label, profile, dpa, transfer mechanism]
    ['no data', profile({ countries: ['IN'] }), false, false],
    ['internal data only, even to a third country', profile({ dataCategories: ['business-internal'], countries: ['IN'] }), false, false],
    ['personal data in the EEA', profile({ dataCategories: ['contact'], countries: ['DE'] }), true, false],
    ['personal data in no recorded country', profile({ dataCategories: ['contact'] }), true, false],
    ['personal data in the UK', profile({ dataCategories: ['contact'], countries: ['GB'] }), true, false],
    ['personal data in the US, DPF-certified', profile({ dataCategories: ['contact'], countries: ['US'], dpfCertified: true }), true, false],
    ['personal data in the US, not certified', profile({ dataCategories: ['contact'], countries: ['US'] }), true, true],
    ['personal data with a sub-processor in India', profile({ dataCategories: ['usage'], countries: ['DE'], subProcessors: [sub('IN')] }), true, true],
    ['special categories in the EEA', profile({ dataCategories: ['health'], countries: ['FR'] }), true, false],
  ] as Array<[string, VendorProfile, boolean, boolean]>)('%s', (_label, p, dpaRequired, transferMechanismRequired) => {
    expect(requirements(p)).toEqual(expect.objectContaining({ dpaRequired, transferMechanismRequired }));
  });

  it('cites the law in its reasons', () => {
    expect(requirements(profile()).reasons).toEqual(['no personal data is processed: neither a DPA nor a transfer mechanism is required']);
    expect(requirements(profile({ dataCategories: ['health', 'contact'], countries: ['IN'] })).reasons).toEqual([
      'personal data is processed (health, contact): a processing contract is required by GDPR Art. 28(3)',
      'special categories under GDPR Art. 9 are processed (health)',
      'personal data leaves the EEA for a country without adequacy (IN (the vendor): no EU adequacy decision): a transfer mechanism is required by GDPR Art. 44–46 (e.g. SCCs)',
    ]);
    expect(requirements(profile({ dataCategories: ['contact'], countries: ['JP'] })).reasons[1]).toMatch(/no transfer mechanism is required \(GDPR Art. 45\)/);
    expect(requirements(profile({ dataCategories: ['contact'] })).reasons[1]).toMatch(/no country is recorded for the data/);
  });
});

describe('missingRequirements', () => {
  const toIndia: Partial<Vendor> = { dataCategories: ['contact'], countries: ['IN'] };
  it.each([
    // [label, vendor, missing]
    ['no personal data: nothing is missing', vendor({ dataCategories: ['business-internal'], countries: ['IN'] }), []],
    ['DPA not started', vendor({ dataCategories: ['contact'] }), ['dpa']],
    ['DPA in negotiation', vendor({ dataCategories: ['contact'], dpa: { status: 'negotiating' } }), ['dpa']],
    ['DPA signed', vendor({ dataCategories: ['contact'], dpa: { status: 'signed' } }), []],
    ['third country, neither', vendor(toIndia), ['dpa', 'transfer-mechanism']],
    ['third country, DPA only', vendor({ ...toIndia, dpa: { status: 'signed' } }), ['transfer-mechanism']],
    ['third country, SCCs only', vendor({ ...toIndia, transferMechanism: { kind: 'sccs' } }), ['dpa']],
    ['third country, both', vendor({ ...toIndia, dpa: { status: 'signed' }, transferMechanism: { kind: 'sccs' } }), []],
    ['a mechanism where none is needed is harmless', vendor({ dataCategories: ['contact'], dpa: { status: 'signed' }, transferMechanism: { kind: 'bcrs' } }), []],
  ] as Array<[string, Vendor, string[]]>)('%s', (_label, v, missing) => {
    expect(missingRequirements(v).map((m) => m.requirement)).toEqual(missing);
  });

  it('says why', () => {
    expect(missingRequirements(vendor({ ...toIndia, subProcessors: [sub('CN')], dpa: { status: 'negotiating' } }))).toEqual([
      { requirement: 'dpa', reason: 'a DPA is required (GDPR Art. 28(3)) and its status is "negotiating"' },
      { requirement: 'transfer-mechanism', reason: 'a transfer mechanism is required (GDPR Art. 46) for IN, CN and none is recorded' },
    ]);
  });
});
