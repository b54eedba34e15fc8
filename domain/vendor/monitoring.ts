/**
 * Monitoring an approved vendor: when it must be reassessed, when to chase its certificates, and whether it is at
 * risk right now. All of it derived from the vendor record and the instant asked about, so the workflow can
 * recompute it on every wake-up and nothing can go stale.
 *
 * Cadence is counted in calendar months from the last approval, in UTC, with the day clamped to the month's end
 * (31 August + 6 months = 28 February, or 29 in a leap year) — the same rule as EU Reg. 1182/71 Art. 3(2)(c). The
 * tier that sets the cadence is the inherent tier of the current profile: it follows the data and access the vendor
 * has, which questionnaire answers cannot talk down.
 *
 * A certificate printed "valid until 14 March 2027" is valid through that whole day: it expires at the start of
 * 15 March, UTC.
 */
import { DateTime } from 'luxon';
import { isIsoDate } from './dates';
import { remediationStatus } from './remediation';
import { inherentRisk, missingRequirements } from './risk';
import { type Certification, type Tier, type Vendor, type VendorStatus } from './types';

export type Cadence = Readonly<Record<Tier, number>>;

/** Months between reassessments. */
export const DEFAULT_CADENCE: Cadence = { critical: 6, high: 12, medium: 24, low: 36 };

export const DEFAULT_LEAD_DAYS: readonly number[] = [60, 30, 7];

/** Statuses in which a vendor has our data or access under an approval, so its risk is watched. */
export const MONITORED: readonly VendorStatus[] = ['approved', 'approved-with-conditions', 'monitoring'];

function instant(value: string, field: string): DateTime {
  const at = DateTime.fromISO(value, { zone: 'utc' });
  if (!at.isValid) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return at;
}

const iso = (t: DateTime): string => t.toUTC().toISO() as string;

/** When the vendor must be reassessed. `cadence` overrides the default months of any tier. */
export function reassessmentDue(tier: Tier, lastApprovedAt: string, cadence: Partial<Cadence> = {}): string {
  const months = { ...DEFAULT_CADENCE, ...cadence }[tier];
  if (!Number.isInteger(months) || months <= 0) throw new RangeError(`the cadence for ${tier} must be a positive whole number of months`);
  return iso(instant(lastApprovedAt, 'lastApprovedAt').plus({ months }));
}

/** The first instant the certificate is no longer valid. */
export function certificateExpiresAt(cert: Certification): string {
  if (!isIsoDate(cert.expiresOn)) throw new RangeError(`expiresOn "${cert.expiresOn}" is not an ISO date`);
  return iso(DateTime.fromISO(cert.expiresOn, { zone: 'utc' }).plus({ days: 1 }));
}

/**
 * When to remind about a certificate: `leadDays` days before it expires, keeping only the instants after `now`
 * (those already past are never sent late), earliest first.
 */
export function certificateReminders(cert: Certification, now: string, leadDays: readonly number[] = DEFAULT_LEAD_DAYS): string[] {
  if (leadDays.some((d) => !Number.isInteger(d) || d <= 0)) throw new RangeError('lead days must be positive whole numbers');
  const expires = instant(certificateExpiresAt(cert), 'expiresOn');
  const nowMs = instant(now, 'now').toMillis();
  return [...new Set(leadDays)]
    .sort((a, b) => b - a)
    .map((d) => expires.minus({ days: d }))
    .filter((at) => at.toMillis() > nowMs)
    .map(iso);
}

export function isExpired(cert: Certification, now: string): boolean {
  return Date.parse(now) >= Date.parse(certificateExpiresAt(cert));
}

export function expiredCertificates(vendor: Pick<Vendor, 'certifications'>, now: string): Certification[] {
  return vendor.certifications.filter((c) => isExpired(c, now));
}

export interface AtRisk {
  atRisk: boolean;
  reasons: string[];
}

/**
 * Whether a monitored vendor is at risk at `now`, and why: a remediation item overdue, a certificate expired, the
 * reassessment overdue, or a legal requirement unmet with no open remediation item covering it. Vendors not in a
 * monitored status are never at risk here: before approval the review owns the gaps, after offboarding nothing is
 * left to watch.
 */
export function atRisk(vendor: Vendor, now: string, cadence: Partial<Cadence> = {}): AtRisk {
  if (!MONITORED.includes(vendor.status)) return { atRisk: false, reasons: [] };
  const reasons: string[] = [];
  const remediation = remediationStatus(vendor.remediation, now);
  const overdue = remediation.items.filter((i) => i.state === 'overdue');
  if (overdue.length) reasons.push(`${overdue.length} remediation item(s) overdue: ${overdue.map((i) => `${i.id} (due ${i.dueAt})`).join(', ')}`);
  for (const c of expiredCertificates(vendor, now)) reasons.push(`certificate ${c.label ?? c.kind} expired: valid until ${c.expiresOn}`);
  if (vendor.lastApprovedAt) {
    const { tier } = inherentRisk(vendor);
    const due = reassessmentDue(tier, vendor.lastApprovedAt, cadence);
    if (Date.parse(now) > Date.parse(due)) reasons.push(`reassessment overdue: due ${due} (${tier} tier, every ${{ ...DEFAULT_CADENCE, ...cadence }[tier]} months)`);
  }
  const covered = new Set(vendor.remediation.filter((r) => !r.completedAt).flatMap((r) => r.covers));
  for (const m of missingRequirements(vendor)) {
    if (!covered.has(m.requirement)) reasons.push(`${m.reason}, and no open remediation item covers it`);
  }
  return { atRisk: reasons.length > 0, reasons };
}
