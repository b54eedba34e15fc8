/**
 * Inherent risk: how much harm a vendor could do before any of its controls are considered, from five facts of its
 * profile. The scoring table below is the whole method — points per factor, added up, tiers by exact thresholds, and
 * a few floors for facts that are dangerous on their own whatever the sum says. Every result lists the points each
 * factor contributed, so a reviewer can redo the sum by hand.
 *
 * | factor            | points                                                                                    |
 * |-------------------|-------------------------------------------------------------------------------------------|
 * | data sensitivity  | none 0 · internal 2 · personal 4 · sensitive 8                                            |
 * | data volume       | none (0) 0 · 1–999: 1 · 1,000–99,999: 2 · 100,000–999,999: 3 · 1,000,000 or more: 4       |
 * | system access     | none 0 · read 2 · write 4 · admin 6 · network 6                                           |
 * | criticality       | low 0 · medium 2 · high 4 · critical 6                                                    |
 * | transfers         | within the EEA 0 · adequate countries only 1 · a third country without adequacy 3         |
 *
 * Score 0–27. Tier: low 0–6, medium 7–12, high 13–18, critical 19–27.
 * Floors (at least high): admin or network access; critical business criticality; sensitive data of 100,000 or more
 * people (large-scale processing of special categories is high risk by GDPR Art. 35(3)(b)).
 *
 * The same module says what the law requires before such a vendor gets our data: a processing contract (DPA) and,
 * for transfers out of the EEA to a country without adequacy, a transfer mechanism.
 */
import { EEA_COUNTRIES, ISO_COUNTRIES } from '../countries';
import { adequacyOf } from './adequacy';
import { SENSITIVITIES, SPECIAL_CATEGORIES, TIERS, type Criticality, type DataCategory, type Requirement, type Sensitivity, type SystemAccess, type Tier, type Vendor, type VendorProfile } from './types';

export const VOLUME_BANDS = ['none', 'under-1k', '1k-to-100k', '100k-to-1m', '1m-plus'] as const;
export type VolumeBand = (typeof VOLUME_BANDS)[number];

/** Where our data goes, worst first: any third country without adequacy outweighs any number of adequate ones. */
export type TransferClass = 'within-eea' | 'adequate' | 'third-country';

/** The sensitivity of each data category; personal data is everything but `business-internal`. */
export const CATEGORY_SENSITIVITY: Readonly<Record<DataCategory, Exclude<Sensitivity, 'none'>>> = {
  'business-internal': 'internal',
  contact: 'personal',
  identification: 'personal',
  employment: 'personal',
  usage: 'personal',
  location: 'personal',
  communications: 'personal',
  'government-id': 'sensitive',
  children: 'sensitive',
  financial: 'sensitive',
  credentials: 'sensitive',
  'racial-or-ethnic-origin': 'sensitive',
  'political-opinions': 'sensitive',
  'religious-or-philosophical-beliefs': 'sensitive',
  'trade-union-membership': 'sensitive',
  genetic: 'sensitive',
  biometric: 'sensitive',
  health: 'sensitive',
  'sex-life-or-sexual-orientation': 'sensitive',
  'criminal-offences': 'sensitive',
};

/** The lowest volume of each band: a volume belongs to the last band whose `from` it reaches. */
export const VOLUME_BAND_FROM: Readonly<Record<VolumeBand, number>> = {
  none: 0,
  'under-1k': 1,
  '1k-to-100k': 1_000,
  '100k-to-1m': 100_000,
  '1m-plus': 1_000_000,
};

export const WEIGHTS = {
  sensitivity: { none: 0, internal: 2, personal: 4, sensitive: 8 },
  volume: { none: 0, 'under-1k': 1, '1k-to-100k': 2, '100k-to-1m': 3, '1m-plus': 4 },
  access: { none: 0, read: 2, write: 4, admin: 6, network: 6 },
  criticality: { low: 0, medium: 2, high: 4, critical: 6 },
  transfers: { 'within-eea': 0, adequate: 1, 'third-country': 3 },
} as const satisfies {
  sensitivity: Record<Sensitivity, number>;
  volume: Record<VolumeBand, number>;
  access: Record<SystemAccess, number>;
  criticality: Record<Criticality, number>;
  transfers: Record<TransferClass, number>;
};

/** The lowest score of each tier. */
export const TIER_FROM: Readonly<Record<Tier, number>> = { low: 0, medium: 7, high: 13, critical: 19 };

export interface Floor {
  id: string;
  atLeast: Tier;
  why: string;
  applies: (f: { sensitivity: Sensitivity; volume: VolumeBand; access: SystemAccess; criticality: Criticality }) => boolean;
}

export const FLOORS: readonly Floor[] = [
  {
    id: 'privileged-access',
    atLeast: 'high',
    why: 'administrative or network access reaches beyond the data the vendor is given',
    applies: (f) => f.access === 'admin' || f.access === 'network',
  },
  {
    id: 'business-critical',
    atLeast: 'high',
    why: 'the business stops when a critical vendor fails, whatever data it holds',
    applies: (f) => f.criticality === 'critical',
  },
  {
    id: 'large-scale-sensitive',
    atLeast: 'high',
    why: 'sensitive data of 100,000 or more people is large-scale processing (GDPR Art. 35(3)(b) for special categories)',
    applies: (f) => f.sensitivity === 'sensitive' && (f.volume === '100k-to-1m' || f.volume === '1m-plus'),
  },
];

const tierIndex = (t: Tier): number => TIERS.indexOf(t);

/** The tier `steps` above (positive) or below (negative) `tier`, never past low or critical. */
export function shiftTier(tier: Tier, steps: number): Tier {
  return TIERS[Math.min(TIERS.length - 1, Math.max(0, tierIndex(tier) + steps))];
}

/** The higher of two tiers. */
export function maxTier(a: Tier, b: Tier): Tier {
  return tierIndex(a) >= tierIndex(b) ? a : b;
}

export function tierForScore(score: number): Tier {
  return [...TIERS].reverse().find((t) => score >= TIER_FROM[t]) ?? 'low';
}

export function volumeBand(volume: number): VolumeBand {
  return [...VOLUME_BANDS].reverse().find((b) => volume >= VOLUME_BAND_FROM[b]) ?? 'none';
}

/** The most sensitive category processed, and which categories make it so. */
export function sensitivityOf(categories: readonly DataCategory[]): { sensitivity: Sensitivity; because: DataCategory[] } {
  let sensitivity: Sensitivity = 'none';
  for (const c of categories) {
    const s = CATEGORY_SENSITIVITY[c];
    if (SENSITIVITIES.indexOf(s) > SENSITIVITIES.indexOf(sensitivity)) sensitivity = s;
  }
  return { sensitivity, because: unique(categories.filter((c) => CATEGORY_SENSITIVITY[c] === sensitivity)) };
}

export function processesPersonalData(categories: readonly DataCategory[]): boolean {
  return categories.some((c) => CATEGORY_SENSITIVITY[c] !== 'internal');
}

export interface Destination {
  country: string;
  /** `vendor`, or the name of the sub-processor that takes the data there. */
  recipient: string;
  class: TransferClass;
  because: string;
}

/** Every place our data goes (the vendor's countries and its sub-processors'), classified for GDPR Chapter V. */
export function destinations(profile: VendorProfile): Destination[] {
  const seen = new Set<string>();
  const out: Destination[] = [];
  const add = (country: string, recipient: string, dpfCertified: boolean): void => {
    const key = `${country}|${recipient}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ country, recipient, ...classify(country, recipient, dpfCertified) });
  };
  for (const country of profile.countries) add(country, 'vendor', profile.dpfCertified);
  for (const sp of profile.subProcessors) add(sp.country, sp.name, sp.dpfCertified === true);
  return out;
}

function classify(country: string, recipient: string, dpfCertified: boolean): { class: TransferClass; because: string } {
  const who = recipient === 'vendor' ? 'the vendor' : `sub-processor ${recipient}`;
  if (EEA_COUNTRIES.has(country)) return { class: 'within-eea', because: `${country} (${who}): within the EEA` };
  // An unknown code must not pass as safe: treat it as the worst case until someone corrects it.
  if (!ISO_COUNTRIES.has(country)) return { class: 'third-country', because: `${country} (${who}): not an ISO country code, treated as a third country without adequacy` };
  const adequacy = adequacyOf(country);
  if (!adequacy) return { class: 'third-country', because: `${country} (${who}): no EU adequacy decision` };
  if (adequacy.requiresDpf && !dpfCertified) {
    return { class: 'third-country', because: `${country} (${who}): the adequacy decision covers only ${adequacy.scope}, and ${who} is not certified` };
  }
  return { class: 'adequate', because: `${country} (${who}): adequacy decision, ${adequacy.decision}${adequacy.scope ? `, for ${adequacy.scope}` : ''}` };
}

const TRANSFER_ORDER: readonly TransferClass[] = ['within-eea', 'adequate', 'third-country'];

export function transferClass(profile: VendorProfile): TransferClass {
  return destinations(profile).reduce<TransferClass>((worst, d) => (TRANSFER_ORDER.indexOf(d.class) > TRANSFER_ORDER.indexOf(worst) ? d.class : worst), 'within-eea');
}

export interface InherentRisk {
  tier: Tier;
  score: number;
  reasons: string[];
}

export function inherentRisk(profile: VendorProfile): InherentRisk {
  const { sensitivity, because } = sensitivityOf(profile.dataCategories);
  const volume = volumeBand(profile.dataVolume);
  const transfers = transferClass(profile);
  const outside = destinations(profile).filter((d) => d.class === transfers && d.class !== 'within-eea');
  const parts: Array<[string, number]> = [
    [`data sensitivity ${sensitivity}${because.length ? ` (${because.join(', ')})` : ''}`, WEIGHTS.sensitivity[sensitivity]],
    [`data volume ${profile.dataVolume} (${volume})`, WEIGHTS.volume[volume]],
    [`system access ${profile.systemAccess}`, WEIGHTS.access[profile.systemAccess]],
    [`business criticality ${profile.criticality}`, WEIGHTS.criticality[profile.criticality]],
    [`transfers ${transfers}${outside.length ? ` (${outside.map((d) => d.because).join('; ')})` : ''}`, WEIGHTS.transfers[transfers]],
  ];
  const score = parts.reduce((sum, [, points]) => sum + points, 0);
  const reasons = parts.map(([what, points]) => `${what}: +${points}`);
  let tier = tierForScore(score);
  reasons.push(`score ${score}: ${tier} (low from ${TIER_FROM.low}, medium from ${TIER_FROM.medium}, high from ${TIER_FROM.high}, critical from ${TIER_FROM.critical})`);
  const facts = { sensitivity, volume, access: profile.systemAccess, criticality: profile.criticality };
  for (const floor of FLOORS) {
    if (!floor.applies(facts) || maxTier(tier, floor.atLeast) === tier) continue;
    tier = floor.atLeast;
    reasons.push(`raised to ${tier}: ${floor.why}`);
  }
  return { tier, score, reasons };
}

export interface Requirements {
  dpaRequired: boolean;
  transferMechanismRequired: boolean;
  reasons: string[];
}

/**
 * What the law requires before the vendor gets our data. The register assumes the vendor processes personal data on
 * our behalf (a processor); a vendor that decides its own purposes is a controller and needs a different contract,
 * which is a legal judgement this module does not make.
 */
export function requirements(profile: VendorProfile): Requirements {
  const personal = profile.dataCategories.filter((c) => CATEGORY_SENSITIVITY[c] !== 'internal');
  if (personal.length === 0) {
    return { dpaRequired: false, transferMechanismRequired: false, reasons: ['no personal data is processed: neither a DPA nor a transfer mechanism is required'] };
  }
  const reasons = [`personal data is processed (${unique(personal).join(', ')}): a processing contract is required by GDPR Art. 28(3)`];
  const special = unique(personal.filter((c) => SPECIAL_CATEGORIES.includes(c)));
  if (special.length) reasons.push(`special categories under GDPR Art. 9 are processed (${special.join(', ')})`);
  const all = destinations(profile);
  const third = all.filter((d) => d.class === 'third-country');
  if (third.length) reasons.push(`personal data leaves the EEA for a country without adequacy (${third.map((d) => d.because).join('; ')}): a transfer mechanism is required by GDPR Art. 44–46 (e.g. SCCs)`);
  else if (all.length === 0) reasons.push('no country is recorded for the data: record where it is stored and accessed from to know whether a transfer mechanism is required');
  else reasons.push('every recorded destination is in the EEA or has an adequacy decision: no transfer mechanism is required (GDPR Art. 45)');
  return { dpaRequired: true, transferMechanismRequired: third.length > 0, reasons };
}

export interface MissingRequirement {
  requirement: Requirement;
  reason: string;
}

/** The requirements of the vendor's profile that its contracts do not meet yet. */
export function missingRequirements(vendor: Vendor): MissingRequirement[] {
  const required = requirements(vendor);
  const missing: MissingRequirement[] = [];
  if (required.dpaRequired && vendor.dpa.status !== 'signed') {
    missing.push({ requirement: 'dpa', reason: `a DPA is required (GDPR Art. 28(3)) and its status is "${vendor.dpa.status}"` });
  }
  if (required.transferMechanismRequired && !vendor.transferMechanism) {
    const where = unique(destinations(vendor).filter((d) => d.class === 'third-country').map((d) => d.country));
    missing.push({ requirement: 'transfer-mechanism', reason: `a transfer mechanism is required (GDPR Art. 46) for ${where.join(', ')} and none is recorded` });
  }
  return missing;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
