/**
 * The vendor register: whether a vendor record is well formed, and the flat row it exports as (one per vendor, for
 * CSV or JSONL). The row carries what is derived from the record too — tier, score, requirements and what is
 * missing — so an export read months later says what the system concluded, not only what was typed in. Nothing
 * here depends on the clock: instant-dependent views (expired certificates, overdue items, at-risk) are in
 * monitoring.ts.
 */
import { ISO_COUNTRIES } from '../countries';
import { isInstant, isIsoDate } from './dates';
import { evidenceFileProblem } from './evidence-file';
import { inherentRisk, missingRequirements, requirements, sensitivityOf, transferClass, volumeBand } from './risk';
import {
  CERTIFICATION_KINDS,
  CRITICALITIES,
  DATA_CATEGORIES,
  SPECIAL_CATEGORIES,
  SYSTEM_ACCESS,
  TRANSFER_MECHANISMS,
  VENDOR_STATUSES,
  type EvidenceFile,
  type Vendor,
} from './types';

/** Column order of the export; a CSV header is exactly this list. */
export const REGISTER_COLUMNS = [
  'vendorId',
  'name',
  'legalName',
  'website',
  'status',
  'services',
  'internalOwner',
  'contacts',
  'dataCategories',
  'specialCategories',
  'sensitivity',
  'dataVolume',
  'volumeBand',
  'systemAccess',
  'criticality',
  'countries',
  'subProcessors',
  'transfers',
  'dpfCertified',
  'inherentTier',
  'inherentScore',
  'dpaRequired',
  'dpaStatus',
  'transferMechanismRequired',
  'transferMechanism',
  'missingRequirements',
  'contractStatus',
  'contractEndsOn',
  'certifications',
  'nextCertificateExpiry',
  'lastApprovedAt',
  'openRemediation',
] as const;

export type RegisterColumn = (typeof REGISTER_COLUMNS)[number];
export type RegisterRow = Record<RegisterColumn, string | number | boolean | null>;

/** Lists are joined with "; " so that each row stays one flat record. */
const list = (values: readonly string[]): string => values.join('; ');

export function registerRow(vendor: Vendor): RegisterRow {
  const risk = inherentRisk(vendor);
  const required = requirements(vendor);
  const expiries = vendor.certifications.map((c) => c.expiresOn).sort();
  return {
    vendorId: vendor.vendorId,
    name: vendor.name,
    legalName: vendor.legalName ?? null,
    website: vendor.website ?? null,
    status: vendor.status,
    services: list(vendor.services),
    internalOwner: vendor.internalOwner,
    contacts: list(vendor.contacts.map((c) => `${c.role}: ${c.name} <${c.email}>`)),
    dataCategories: list(vendor.dataCategories),
    specialCategories: list(vendor.dataCategories.filter((c) => SPECIAL_CATEGORIES.includes(c))),
    sensitivity: sensitivityOf(vendor.dataCategories).sensitivity,
    dataVolume: vendor.dataVolume,
    volumeBand: volumeBand(vendor.dataVolume),
    systemAccess: vendor.systemAccess,
    criticality: vendor.criticality,
    countries: list(vendor.countries),
    subProcessors: list(vendor.subProcessors.map((s) => `${s.name} (${s.country}): ${s.service}`)),
    transfers: transferClass(vendor),
    dpfCertified: vendor.dpfCertified,
    inherentTier: risk.tier,
    inherentScore: risk.score,
    dpaRequired: required.dpaRequired,
    dpaStatus: vendor.dpa.status,
    transferMechanismRequired: required.transferMechanismRequired,
    transferMechanism: vendor.transferMechanism?.kind ?? null,
    missingRequirements: list(missingRequirements(vendor).map((m) => m.requirement)),
    contractStatus: vendor.contract.status,
    contractEndsOn: vendor.contract.endsOn ?? null,
    certifications: list(vendor.certifications.map((c) => `${c.label ?? c.kind} until ${c.expiresOn}`)),
    nextCertificateExpiry: expiries[0] ?? null,
    lastApprovedAt: vendor.lastApprovedAt ?? null,
    openRemediation: vendor.remediation.filter((r) => !r.completedAt).length,
  };
}

export interface FieldProblem {
  field: string;
  message: string;
}

const blank = (s: unknown): boolean => typeof s !== 'string' || s.trim().length === 0;
const oneOf = (values: readonly string[], value: unknown): boolean => typeof value === 'string' && values.includes(value);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why a vendor record cannot be stored, field by field, or an empty list. */
export function vendorProblems(vendor: Vendor): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string): void => void problems.push({ field, message });
  const evidence = (field: string, doc: EvidenceFile | undefined): void => {
    const problem = doc === undefined ? undefined : evidenceFileProblem(doc);
    if (problem) add(field, problem);
  };
  const date = (field: string, value: string | undefined): void => {
    if (value !== undefined && !isIsoDate(value)) add(field, 'must be an ISO date (YYYY-MM-DD)');
  };
  for (const field of ['vendorId', 'name', 'internalOwner'] as const) if (blank(vendor[field])) add(field, 'is required');
  if (!oneOf(VENDOR_STATUSES, vendor.status)) add('status', `must be one of ${VENDOR_STATUSES.join(', ')}`);
  vendor.services.forEach((s, i) => {
    if (blank(s)) add(`services[${i}]`, 'must not be blank');
  });
  vendor.contacts.forEach((c, i) => {
    if (blank(c.name)) add(`contacts[${i}].name`, 'is required');
    if (typeof c.email !== 'string' || !EMAIL.test(c.email)) add(`contacts[${i}].email`, 'must be an e-mail address');
  });
  vendor.dataCategories.forEach((c, i) => {
    if (!oneOf(DATA_CATEGORIES, c)) add(`dataCategories[${i}]`, `"${c}" is not a data category`);
  });
  if (new Set(vendor.dataCategories).size !== vendor.dataCategories.length) add('dataCategories', 'lists a category twice');
  if (!Number.isInteger(vendor.dataVolume) || vendor.dataVolume < 0) add('dataVolume', 'must be a whole number, 0 or more');
  else if (vendor.dataVolume > 0 && vendor.dataCategories.length === 0) add('dataVolume', 'is given, but no data category says what the data is');
  if (!oneOf(SYSTEM_ACCESS, vendor.systemAccess)) add('systemAccess', `must be one of ${SYSTEM_ACCESS.join(', ')}`);
  if (!oneOf(CRITICALITIES, vendor.criticality)) add('criticality', `must be one of ${CRITICALITIES.join(', ')}`);
  // ISO codes only: "UK" would be read as an unknown country and make every transfer look unlawful.
  vendor.countries.forEach((c, i) => {
    if (!ISO_COUNTRIES.has(c)) add(`countries[${i}]`, `"${c}" is not an ISO 3166-1 alpha-2 code`);
  });
  vendor.subProcessors.forEach((s, i) => {
    if (blank(s.name)) add(`subProcessors[${i}].name`, 'is required');
    if (blank(s.service)) add(`subProcessors[${i}].service`, 'is required');
    if (!ISO_COUNTRIES.has(s.country)) add(`subProcessors[${i}].country`, `"${s.country}" is not an ISO 3166-1 alpha-2 code`);
  });
  date('contract.startsOn', vendor.contract.startsOn);
  date('contract.endsOn', vendor.contract.endsOn);
  if (vendor.contract.startsOn && vendor.contract.endsOn && vendor.contract.endsOn < vendor.contract.startsOn) add('contract.endsOn', 'must not be before startsOn');
  date('dpa.signedOn', vendor.dpa.signedOn);
  evidence('dpa.evidence', vendor.dpa.evidence);
  if (vendor.transferMechanism) {
    if (!oneOf(TRANSFER_MECHANISMS, vendor.transferMechanism.kind)) add('transferMechanism.kind', `must be one of ${TRANSFER_MECHANISMS.join(', ')}`);
    date('transferMechanism.signedOn', vendor.transferMechanism.signedOn);
    evidence('transferMechanism.evidence', vendor.transferMechanism.evidence);
  }
  vendor.certifications.forEach((c, i) => {
    const at = `certifications[${i}]`;
    if (!oneOf(CERTIFICATION_KINDS, c.kind)) add(`${at}.kind`, `must be one of ${CERTIFICATION_KINDS.join(', ')}`);
    if (c.kind === 'other' && blank(c.label)) add(`${at}.label`, 'is required for a certification of kind other');
    if (!isIsoDate(c.issuedOn)) add(`${at}.issuedOn`, 'must be an ISO date (YYYY-MM-DD)');
    if (!isIsoDate(c.expiresOn)) add(`${at}.expiresOn`, 'must be an ISO date (YYYY-MM-DD)');
    else if (isIsoDate(c.issuedOn) && c.expiresOn < c.issuedOn) add(`${at}.expiresOn`, 'must not be before issuedOn');
    evidence(`${at}.evidence`, c.evidence);
  });
  if (vendor.lastApprovedAt !== undefined && !isInstant(vendor.lastApprovedAt)) add('lastApprovedAt', 'must be an ISO 8601 timestamp');
  const ids = new Set<string>();
  vendor.remediation.forEach((r, i) => {
    const at = `remediation[${i}]`;
    if (blank(r.id) || ids.has(r.id)) add(`${at}.id`, 'must be present and unique');
    ids.add(r.id);
    if (blank(r.description)) add(`${at}.description`, 'is required');
    if (blank(r.owner)) add(`${at}.owner`, 'is required');
    if (!isInstant(r.dueAt)) add(`${at}.dueAt`, 'must be an ISO 8601 timestamp');
  });
  return problems;
}
