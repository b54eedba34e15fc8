/**
 * The vocabulary of vendor management (third-party risk): a vendor as the register records it, the facts its risk is
 * derived from, and the documents that evidence it. Pure types and the lists that define them; no behaviour.
 *
 * Instants are ISO 8601 strings in UTC (`2026-03-01T10:00:00.000Z`); dates printed on documents (a certificate's
 * validity, a contract's term) are ISO dates (`2026-03-01`), because that is what the document says.
 */
import type { Actor } from '../evidence';

/** Risk tiers, lowest first: the order is used to raise and lower a tier. */
export const TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * What the vendor processes for us. Every category but `business-internal` is about people, so it is personal data
 * (GDPR Art. 4(1)); the special categories are those of Art. 9(1), with criminal data (Art. 10) next to them.
 */
export const DATA_CATEGORIES = [
  'business-internal', // internal business information that identifies no one: documents, source code, plans
  'contact', // names, e-mail addresses, phone numbers, postal addresses
  'identification', // dates of birth, customer or employee numbers, online identifiers
  'employment', // HR records: contracts, salaries, performance
  'usage', // behaviour and device data: logs, analytics, cookies
  'location', // precise location
  'communications', // contents of messages, calls, support tickets
  'government-id', // passport, national identity or social security numbers
  'children', // data about children (GDPR recital 38: they merit specific protection)
  'financial', // bank account or payment card details of people
  'credentials', // user names with passwords or other authentication secrets
  'racial-or-ethnic-origin',
  'political-opinions',
  'religious-or-philosophical-beliefs',
  'trade-union-membership',
  'genetic',
  'biometric', // for the purpose of uniquely identifying a person
  'health',
  'sex-life-or-sexual-orientation',
  'criminal-offences', // Art. 10: criminal convictions and offences
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** GDPR Art. 9(1) special categories of personal data. */
export const SPECIAL_CATEGORIES: readonly DataCategory[] = [
  'racial-or-ethnic-origin',
  'political-opinions',
  'religious-or-philosophical-beliefs',
  'trade-union-membership',
  'genetic',
  'biometric',
  'health',
  'sex-life-or-sexual-orientation',
];

/**
 * How sensitive the data a vendor processes is, lowest first: `none` (no data of ours), `internal` (business data
 * identifying no one), `personal`, `sensitive` (special categories, criminal data, financial data, credentials,
 * government ids, children's data: the data whose loss harms people most).
 */
export const SENSITIVITIES = ['none', 'internal', 'personal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** What the vendor can do in our systems: `admin` over applications, `network` into our network (VPN, agents). */
export const SYSTEM_ACCESS = ['none', 'read', 'write', 'admin', 'network'] as const;
export type SystemAccess = (typeof SYSTEM_ACCESS)[number];

/** How badly the business suffers when the vendor fails, lowest first. */
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/**
 * The life of a vendor in the register. Whether a vendor is at risk (overdue remediation, expired certificate,
 * reassessment overdue, unmet requirement) is not a status: it is derived from the facts at a given instant by
 * `atRisk` (monitoring.ts), so it can never go stale and never hides where the vendor is in its life.
 */
export const VENDOR_STATUSES = [
  'prospective',
  'under-review',
  'approved',
  'approved-with-conditions',
  'rejected',
  'monitoring',
  'offboarding',
  'offboarded',
] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

export const CERTIFICATION_KINDS = [
  'soc2-type2',
  'soc2-type1',
  'iso27001',
  'iso27701',
  'iso27017',
  'iso27018',
  'iso22301',
  'pci-dss',
  'csa-star',
  'cyber-essentials-plus',
  'tisax',
  'hitrust',
  'other',
] as const;
export type CertificationKind = (typeof CERTIFICATION_KINDS)[number];

/**
 * GDPR Chapter V safeguards for a transfer without an adequacy decision. The Art. 49 derogations are left out on
 * purpose: they cover occasional transfers, never the repeated flow of data to a vendor (EDPB Guidelines 2/2018).
 */
export const TRANSFER_MECHANISMS = [
  'sccs', // standard contractual clauses, Art. 46(2)(c) (Commission Implementing Decision (EU) 2021/914)
  'bcrs', // binding corporate rules, Art. 47
  'code-of-conduct', // Art. 46(2)(e)
  'certification', // Art. 46(2)(f)
  'ad-hoc-clauses', // Art. 46(3)(a), authorised by the supervisory authority
] as const;
export type TransferMechanism = (typeof TRANSFER_MECHANISMS)[number];

/** What the law may require before a vendor receives our data; see `requirements` in risk.ts. */
export const REQUIREMENTS = ['dpa', 'transfer-mechanism'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

/** A document kept as evidence: its name and the SHA-256 of its bytes (64 lowercase hex digits). */
export interface EvidenceFile {
  name: string;
  sha256: string;
  contentType?: string;
}

export interface VendorContact {
  name: string;
  email: string;
  role: 'security' | 'privacy' | 'commercial' | 'technical' | 'other';
}

export interface SubProcessor {
  name: string;
  /** ISO 3166-1 alpha-2 country where it processes our data. */
  country: string;
  service: string;
  /** Certified under the EU-US Data Privacy Framework; only meaningful for US sub-processors. */
  dpfCertified?: boolean;
}

/** The facts a vendor's inherent risk and legal requirements are derived from (see risk.ts). */
export interface VendorProfile {
  dataCategories: DataCategory[];
  /** Approximate number of people whose data (records, for non-personal data) the vendor holds or can reach. */
  dataVolume: number;
  systemAccess: SystemAccess;
  criticality: Criticality;
  /** ISO 3166-1 alpha-2 countries where the vendor itself stores our data or accesses it from. */
  countries: string[];
  /** The vendor is certified under the EU-US Data Privacy Framework (the US adequacy decision covers only those). */
  dpfCertified: boolean;
  subProcessors: SubProcessor[];
}

export interface Certification {
  kind: CertificationKind;
  /** For `other`, or to tell two certificates of a kind apart. */
  label?: string;
  issuer?: string;
  scope?: string;
  issuedOn: string;
  /**
   * The last day of validity as printed. For a SOC 2 report, which does not expire, record the end of its period
   * plus twelve months: the usual limit after which a new report (or a bridge letter) is asked for.
   */
  expiresOn: string;
  evidence?: EvidenceFile;
}

export type ContractStatus = 'none' | 'negotiating' | 'signed' | 'terminated';
export type DpaStatus = 'none' | 'negotiating' | 'signed';

/** A condition of an approval, or any other fix the vendor or we owe; `covers` names the requirements it closes. */
export interface RemediationItem {
  id: string;
  description: string;
  /** Principal id of the person who sees it through. */
  owner: string;
  dueAt: string;
  covers: Requirement[];
  completedAt?: string;
  completedBy?: Actor;
  evidence?: EvidenceFile;
}

export interface Vendor extends VendorProfile {
  vendorId: string;
  name: string;
  legalName?: string;
  website?: string;
  description: string;
  services: string[];
  /** Principal id of the person in our organisation accountable for the vendor. */
  internalOwner: string;
  contacts: VendorContact[];
  contract: { status: ContractStatus; reference?: string; startsOn?: string; endsOn?: string };
  dpa: { status: DpaStatus; signedOn?: string; evidence?: EvidenceFile };
  /** The transfer tool in place, if any. */
  transferMechanism?: { kind: TransferMechanism; signedOn?: string; evidence?: EvidenceFile };
  certifications: Certification[];
  status: VendorStatus;
  /** When the last review approved the vendor; reassessment cadence counts from here. */
  lastApprovedAt?: string;
  remediation: RemediationItem[];
}

/** Question types of a due-diligence questionnaire, and the answer each takes (see `AnswerValue`). */
export const QUESTION_TYPES = ['yes-no', 'single-choice', 'multiple-choice', 'text', 'number', 'date', 'evidence'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/**
 * A date a `before`/`after` condition compares an answer with: an ISO date (`2026-01-01`), `relative:now`, or
 * `relative:` and a signed ISO 8601 duration from now (`relative:-P12M`: twelve months ago), so a question set does
 * not age.
 */
export type DateRef = string;

/**
 * Which answers fail a question. By type: yes-no `equals`; single-choice `equals` or `anyOf`; multiple-choice
 * `anyOf` (any of these chosen) or `missingAnyOf` (any of these not chosen); number `equals`, `lessThan`,
 * `greaterThan`; date `before`, `after` (strictly). Text and evidence answers never fail: a person reads them.
 */
export type FailWhen =
  | { equals: string | number }
  | { anyOf: string[] }
  | { missingAnyOf: string[] }
  | { lessThan: number }
  | { greaterThan: number }
  | { before: DateRef }
  | { after: DateRef };

export interface ChoiceOption {
  value: string;
  label: string;
}

interface QuestionBase {
  /** Stable across versions of a set: answers are stored by it. Lowercase letters, digits and hyphens. */
  id: string;
  text: string;
  help?: string;
  required: boolean;
  /** A positive whole number: scores are then exact fractions, and thresholds never fall between two roundings. */
  weight: number;
  /** A failing answer to a critical question keeps the residual risk at high or above (see questionnaire.ts). */
  critical?: boolean;
  /** Questions without `fail` are not scored. */
  fail?: { when: FailWhen; reason: string };
}

export type Question =
  | (QuestionBase & { type: 'yes-no' | 'text' | 'date' | 'evidence' })
  | (QuestionBase & { type: 'single-choice' | 'multiple-choice'; options: ChoiceOption[] })
  | (QuestionBase & { type: 'number'; min?: number; max?: number; unit?: string });

export interface Questionnaire {
  id: string;
  /** Answers are recorded against an id and a version, so a later edit of the set cannot change old scores. */
  version: string;
  title: string;
  questions: Question[];
}

/**
 * yes-no: `'yes' | 'no'`; single-choice: an option value; multiple-choice: option values (none chosen: `[]`); text:
 * a string; number: a finite number; date: an ISO date; evidence: the document's metadata.
 */
export type AnswerValue = string | number | string[] | EvidenceFile;
export type Answers = Readonly<Record<string, AnswerValue>>;
