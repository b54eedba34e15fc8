/**
 * The vendors check: the gaps in a vendor's due diligence that vendor monitoring already knows how to find, reported
 * as findings. Every judgement is monitoring's or risk's own (reassessment cadence, certificate validity, legal
 * requirements), so the audit and the vendor workflow never disagree about a vendor.
 *
 * Which vendors are judged: reassessment and certificates matter while a vendor is approved or monitored (MONITORED);
 * the contracts (DPA, transfer mechanism) matter as long as the vendor may hold our data, so also while it is being
 * offboarded and still has to return or delete it. Vendors before approval are the review's business; offboarded
 * vendors hold nothing of ours any more.
 */
import { expiredCertificates, MONITORED, reassessmentDue } from '../vendor/monitoring';
import { inherentRisk, missingRequirements } from '../vendor/risk';
import type { Requirement, Vendor, VendorStatus } from '../vendor/types';
import { isInstant } from '../vendor/dates';
import type { FindingDraft, Severity } from './types';

export type VendorRule = 'reassessment-overdue' | 'certificate-expired' | 'dpa-missing' | 'transfer-mechanism-missing';

export const VENDOR_RULES: Readonly<Record<VendorRule, { severity: Severity; recommendation: string }>> = {
  'reassessment-overdue': { severity: 'high', recommendation: 'Start a re-review of the vendor: its reassessment is overdue.' },
  'certificate-expired': { severity: 'medium', recommendation: 'Obtain the renewed certificates (or a bridge letter) from the vendor, or record why they lapsed.' },
  'dpa-missing': { severity: 'high', recommendation: 'Sign a data processing agreement with the vendor (GDPR Art. 28(3)), or stop sending it personal data.' },
  'transfer-mechanism-missing': {
    severity: 'high',
    recommendation: 'Put a transfer mechanism in place (e.g. SCCs, GDPR Art. 46), or stop the transfer to the third country.',
  },
};

const REQUIREMENT_RULES: Readonly<Record<Requirement, VendorRule>> = { dpa: 'dpa-missing', 'transfer-mechanism': 'transfer-mechanism-missing' };

/** Statuses in which the vendor may hold our data, so its contracts must cover it. */
const HOLDS_DATA: readonly VendorStatus[] = [...MONITORED, 'offboarding'];

export function inspectVendor(vendor: Vendor, now: string): FindingDraft[] {
  if (!isInstant(now)) throw new RangeError(`now "${now}" is not an ISO 8601 timestamp`);
  const findings: FindingDraft[] = [];
  const report = (rule: VendorRule, detail: FindingDraft['detail']) => {
    const { severity, recommendation } = VENDOR_RULES[rule];
    findings.push({ check: 'vendors', rule, severity, recordType: 'vendor', recordIds: [vendor.vendorId], recommendation, detail });
  };
  if (MONITORED.includes(vendor.status)) {
    if (vendor.lastApprovedAt) {
      const { tier } = inherentRisk(vendor);
      const due = reassessmentDue(tier, vendor.lastApprovedAt);
      // Overdue only once the due instant has passed, as `atRisk` reads it.
      if (Date.parse(now) > Date.parse(due)) report('reassessment-overdue', { tier, due });
    }
    const expired = expiredCertificates(vendor, now);
    if (expired.length) report('certificate-expired', { count: expired.length, certificates: expired.map((c) => `${c.label ?? c.kind} until ${c.expiresOn}`).join('; ') });
  }
  if (HOLDS_DATA.includes(vendor.status)) {
    // An open remediation item covering the gap is a plan, not a contract: the gap is reported, with the plan named.
    const covering = (requirement: Requirement) => vendor.remediation.find((r) => !r.completedAt && r.covers.includes(requirement))?.id;
    for (const { requirement, reason } of missingRequirements(vendor)) {
      const remediationId = covering(requirement);
      report(REQUIREMENT_RULES[requirement], { reason, ...(remediationId && { remediationId }) });
    }
  }
  return findings;
}
