import { ApplicationFailure } from '@temporalio/activity';
import { publicUrl } from '../platform/config';
import { LinkSigner } from '../platform/links';
import { questionnaireFor, scoreQuestionnaire, type Scoring } from '../domain/vendor/questionnaire';
import { QUESTIONNAIRES } from '../domain/vendor/questionnaires/sets';
import { inherentRisk, missingRequirements } from '../domain/vendor/risk';
import type { Certification, RemediationItem, Requirement, Tier, Vendor, VendorStatus } from '../domain/vendor/types';
import { PrincipalStore } from '../store/principals';
import { VendorStore } from '../store/vendors';
import type { ConsentActivityDeps } from './consent';
import type { NotificationActivities } from './notifications';

export interface ReviewOpening {
  vendorName: string;
  tier: Tier;
  reasons: string[];
  unmetRequirements: Requirement[];
  setId: string;
  setVersion: string;
}

/** What the monitoring phase plans its timers from, read fresh at each wake-up (certificates get renewed). */
export interface MonitoringFacts {
  vendorName: string;
  tier: Tier;
  status: VendorStatus;
  lastApprovedAt?: string;
  certifications: Certification[];
  remediation: RemediationItem[];
}

export function vendorActivities(deps: ConsentActivityDeps, notify: NotificationActivities) {
  const vendors = new VendorStore(deps.db, deps.crypto);
  const principals = new PrincipalStore(deps.db, deps.crypto);
  const links = new LinkSigner(deps.keyring, publicUrl(deps.config));

  async function vendorOf(vendorId: string): Promise<Vendor> {
    const vendor = await vendors.get(vendorId);
    if (!vendor) throw ApplicationFailure.nonRetryable(`vendor ${vendorId} does not exist`, 'UnknownVendor');
    return vendor;
  }

  async function ownerEmail(vendor: Vendor): Promise<string[]> {
    const owner = await principals.get(vendor.internalOwner);
    return owner?.email ? [owner.email] : [];
  }

  return {
    /** Opens a review cycle: the vendor goes under review, with its inherent tier and the questionnaire that fits. */
    async openVendorReview(vendorId: string): Promise<ReviewOpening> {
      const vendor = await vendors.setStatus(vendorId, 'under-review');
      const risk = inherentRisk(vendor);
      const set = questionnaireFor(risk.tier);
      return { vendorName: vendor.name, tier: risk.tier, reasons: risk.reasons, unmetRequirements: missingRequirements(vendor).map((m) => m.requirement), setId: set.id, setVersion: set.version };
    },

    /** Registers the questionnaire (once per id) and e-mails its link to the vendor's contacts. */
    async sendQuestionnaire(input: { questionnaireId: string; vendorId: string; reviewId: string; setId: string; setVersion: string; sentAt: string; expiresAt: string; reminder: number }): Promise<void> {
      const vendor = await vendorOf(input.vendorId);
      const q = await vendors.openQuestionnaire({ questionnaireId: input.questionnaireId, vendorId: input.vendorId, reviewId: input.reviewId, setId: input.setId, setVersion: input.setVersion, sentAt: input.sentAt, expiresAt: input.expiresAt });
      if (q.status !== 'open') return;
      const to = vendor.contacts.map((c) => c.email);
      if (to.length === 0) return;
      const link = links.url('/vendor-portal/questionnaire', { act: 'questionnaire', sub: input.vendorId, ref: input.questionnaireId, exp: Math.floor(Date.parse(input.expiresAt) / 1000) });
      await notify.sendEmail({
        key: `${input.questionnaireId}:sent-${input.reminder}`,
        to,
        template: 'vendor.questionnaire',
        data: { vendorName: vendor.name, link, expiresAt: input.expiresAt, reminder: input.reminder },
        resource: { type: 'vendor', id: input.vendorId },
      });
    },

    /** Closes an unanswered questionnaire; false when the vendor submitted it first. */
    async expireQuestionnaire(questionnaireId: string): Promise<boolean> {
      return vendors.close(questionnaireId, 'expired', new Date().toISOString());
    },

    /** Scores the submitted answers against the exact question set version they were given on. */
    async scoreSubmission(input: { questionnaireId: string; tier: Tier; now: string }): Promise<Scoring> {
      const q = await vendors.questionnaire(input.questionnaireId);
      if (!q || q.status !== 'submitted') throw ApplicationFailure.nonRetryable(`questionnaire ${input.questionnaireId} is not submitted`, 'NotSubmitted');
      const set = Object.values(QUESTIONNAIRES).find((s) => s.id === q.setId && s.version === q.setVersion);
      if (!set) throw ApplicationFailure.nonRetryable(`question set ${q.setId}@${q.setVersion} is not known`, 'UnknownQuestionSet');
      return scoreQuestionnaire(set, q.answers, input.now, input.tier);
    },

    async setVendorStatus(input: { vendorId: string; status: VendorStatus; lastApprovedAt?: string; remediation?: RemediationItem[] }): Promise<void> {
      await vendors.setStatus(input.vendorId, input.status, {
        ...(input.lastApprovedAt && { lastApprovedAt: input.lastApprovedAt }),
        ...(input.remediation && { remediation: input.remediation }),
      });
    },

    async completeRemediationItem(input: { vendorId: string; item: RemediationItem }): Promise<void> {
      await vendors.update(input.vendorId, (v) => ({ ...v, remediation: v.remediation.map((r) => (r.id === input.item.id ? input.item : r)) }));
    },

    async monitoringFacts(vendorId: string): Promise<MonitoringFacts> {
      const vendor = await vendorOf(vendorId);
      return { vendorName: vendor.name, tier: inherentRisk(vendor).tier, status: vendor.status, lastApprovedAt: vendor.lastApprovedAt, certifications: vendor.certifications, remediation: vendor.remediation };
    },

    async offboardingFacts(vendorId: string): Promise<Pick<Vendor, 'internalOwner' | 'subProcessors'>> {
      const vendor = await vendorOf(vendorId);
      return { internalOwner: vendor.internalOwner, subProcessors: vendor.subProcessors };
    },

    /** Tells the internal owner that something about the vendor is overdue. */
    async escalateToOwner(input: { key: string; vendorId: string; what: string; dueAt: string }): Promise<void> {
      const vendor = await vendorOf(input.vendorId);
      const to = await ownerEmail(vendor);
      if (to.length === 0) return;
      await notify.sendEmail({ key: input.key, to, template: 'vendor.escalation', data: { vendorName: vendor.name, vendorId: vendor.vendorId, what: input.what, dueAt: input.dueAt, link: `/vendors/${vendor.vendorId}` }, resource: { type: 'vendor', id: vendor.vendorId } });
    },

    /** Asks the vendor's contacts (copying the owner) for a renewed certificate ahead of its expiry. */
    async requestCertificateRenewal(input: { key: string; vendorId: string; certificate: Certification }): Promise<void> {
      const vendor = await vendorOf(input.vendorId);
      const to = [...vendor.contacts.map((c) => c.email), ...(await ownerEmail(vendor))];
      if (to.length === 0) return;
      const name = input.certificate.label ?? input.certificate.kind;
      await notify.sendEmail({ key: input.key, to, template: 'vendor.certificate-renewal', data: { vendorName: vendor.name, certificate: name, expiresOn: input.certificate.expiresOn }, resource: { type: 'vendor', id: vendor.vendorId } });
    },
  };
}

export type VendorActivities = ReturnType<typeof vendorActivities>;
