/**
 * The vocabulary of audits: which checks exist, how severe a finding is, what a finding says. A finding names records
 * by id only — never a value out of them — so reports can go to an external auditor and into logs without PII.
 */
export const CHECKS = ['data-accuracy', 'duplicates', 'consent-records', 'access', 'vendors', 'evidence-integrity', 'retention'] as const;
export type CheckId = (typeof CHECKS)[number];

export const CHECK_DESCRIPTIONS: Readonly<Record<CheckId, string>> = {
  'data-accuracy': 'Subject records: e-mail syntax, phone numbers in E.164, required fields, country and region codes, stale records.',
  duplicates: 'Subject records sharing an e-mail address or phone number (same blind index), or a near-identical name in the same country.',
  'consent-records': 'Consents treated as active without a valid grant, expired consents still active, consent events missing proof.',
  access: 'Privileged principals, unused and non-expiring API keys, principals without an owner, unusual access patterns.',
  vendors: 'Overdue reassessments, expired certificates, missing DPA or transfer mechanism.',
  'evidence-integrity': 'The evidence trail hash chain verifies from its first event to its head.',
  retention: 'Records kept past their retention period.',
};

export function isCheckId(value: string): value is CheckId {
  return (CHECKS as readonly string[]).includes(value);
}

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** True when `severity` is `threshold` or worse. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** The kinds of record a finding can point at (the collection each id belongs to). */
export const RECORD_TYPES = ['subject', 'consent', 'consent-event', 'principal', 'api-key', 'access-log', 'vendor', 'evidence-event'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** A change a cleansing run may make without a person deciding each record: the value's meaning stays the same. */
export const FIXES = ['email-normalise', 'phone-e164', 'country-case'] as const;
export type FixKind = (typeof FIXES)[number];

/** What a check reports about one problem, before it is stored and linked to earlier runs. */
export interface FindingDraft {
  check: CheckId;
  /** Stable id of the rule within its check, e.g. `email-invalid`; with the record ids it identifies the finding. */
  rule: string;
  severity: Severity;
  recordType: RecordType;
  recordIds: string[];
  recommendation: string;
  /** Facts that explain the finding without personal data: counts, dates, field names, codes. */
  detail?: Record<string, string | number | boolean>;
  /** Set when a cleansing run can fix the finding. */
  fix?: FixKind;
}

/** Settings of one audit run; every field has a default (see `auditScope`). */
export interface AuditScope {
  checks: CheckId[];
  /** Subject records not updated for this many months are reported as stale. */
  staleAfterMonths: number;
  /** API keys not used for this many days are reported as unused. */
  keyUnusedDays: number;
  /** Only subjects of these countries (ISO 3166-1 alpha-2), when given. */
  countries?: string[];
  /** Findings at or above this severity open (or join) a corrective action. */
  correctiveActionSeverity: Severity;
}
