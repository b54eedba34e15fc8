/**
 * The consent-records check: whether what the consent states say can be proven by the consent events, and whether
 * the lifecycle has kept the states up to date. GDPR Art. 7(1): where processing rests on consent, the controller must
 * be able to demonstrate that the person consented — an active state without a grant event, or a grant event without
 * proof of an affirmative act (recital 32: pre-ticked boxes are not consent), cannot demonstrate it.
 */
import type { CaptureMethod, ConsentEventType, ConsentState, LawfulBasis } from '../consent';
import { isInstant } from '../vendor/dates';
import type { FindingDraft, RecordType, Severity } from './types';

export type ConsentRecordRule = 'active-without-grant' | 'expired-still-active' | 'pending-past-confirmation' | 'missing-proof' | 'missing-source';

export const CONSENT_RECORD_RULES: Readonly<Record<ConsentRecordRule, { severity: Severity; recommendation: string }>> = {
  'active-without-grant': {
    severity: 'high',
    recommendation: 'Stop relying on the consent until it is granted again: without its grant event it cannot be demonstrated (GDPR Art. 7(1)).',
  },
  // mayContact already refuses it; the state still says active to everyone reading the register.
  'expired-still-active': { severity: 'high', recommendation: "Find out why the consent's lifecycle did not expire it, and record the expiry." },
  'pending-past-confirmation': { severity: 'medium', recommendation: "Find out why the request's lifecycle did not lapse it, and record the lapse." },
  'missing-proof': {
    severity: 'high',
    recommendation: 'Obtain the consent again with a capture that records the notice shown and the affirmative act (an unticked box ticked by the person).',
  },
  'missing-source': { severity: 'medium', recommendation: 'Record where the consent came from (the import or the form behind the API call), or obtain it again.' },
};

function finding(rule: ConsentRecordRule, recordType: RecordType, id: string, detail: FindingDraft['detail']): FindingDraft {
  const { severity, recommendation } = CONSENT_RECORD_RULES[rule];
  return { check: 'consent-records', rule, severity, recordType, recordIds: [id], recommendation, detail };
}

/** Events that make a consent valid: each one must show the person agreed. */
const GRANTS: readonly ConsentEventType[] = ['granted', 'renewed', 'confirmed'];

/** A consent event as the store keeps it, with its instant as an ISO string. */
export interface ConsentEventFacts {
  id: string;
  subjectId: string;
  purposeId: string;
  type: ConsentEventType;
  lawfulBasis: LawfulBasis;
  noticeVersionId?: string;
  noticeTextHash?: string;
  method: CaptureMethod;
  source?: { formId?: string; url?: string; importId?: string };
  proof?: { element?: string; preTicked?: boolean; action?: string };
}

/** Unreadable instants throw: the lifecycle writes every one of them, so one that cannot be read is corruption. */
function instantMs(value: string, field: string): number {
  if (!isInstant(value)) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return Date.parse(value);
}

/**
 * The findings about one consent state; `grant` is the event its `grantEventId` names, undefined when the store has
 * none. Records are `subjectId:purposeId`, the id the consent store keys states by.
 */
export function inspectConsentState(state: ConsentState, grant: Pick<ConsentEventFacts, 'id' | 'subjectId' | 'purposeId' | 'type'> | undefined, now: string): FindingDraft[] {
  const nowMs = instantMs(now, 'now');
  const id = `${state.subjectId}:${state.purposeId}`;
  const findings: FindingDraft[] = [];
  if (state.status === 'active') {
    const problem = !grant
      ? 'grant-event-missing'
      : grant.id !== state.grantEventId || grant.subjectId !== state.subjectId || grant.purposeId !== state.purposeId
        ? 'grant-event-of-another-consent'
        : !GRANTS.includes(grant.type)
          ? `grant-event-is-${grant.type}`
          : undefined;
    if (problem) findings.push(finding('active-without-grant', 'consent', id, { problem, grantEventId: state.grantEventId }));
    // At its expiry instant the consent already allows nothing (mayContact), so that instant counts as expired.
    const { expiresAt } = state.schedule;
    if (expiresAt !== null && instantMs(expiresAt, 'schedule.expiresAt') <= nowMs) findings.push(finding('expired-still-active', 'consent', id, { expiresAt }));
  }
  if (state.status === 'pending-confirmation' && state.confirmBy !== undefined && instantMs(state.confirmBy, 'confirmBy') < nowMs) {
    findings.push(finding('pending-past-confirmation', 'consent', id, { confirmBy: state.confirmBy }));
  }
  return findings;
}

/** Methods where a person acts on our own page or form, so the act itself can and must be recorded. */
const INTERACTIVE: readonly CaptureMethod[] = ['form', 'checkbox', 'preference-centre'];

/**
 * The findings about one consent event. Only grants on the consent basis need proof: a withdrawal needs no proof of
 * agreement, and another lawful basis does not rest on the person's agreement at all. An interactive capture must
 * record the notice shown (version and text hash) and an affirmative act that was not pre-ticked; an import or an API
 * call cannot show the act itself, so it must name where the consent came from.
 */
export function inspectConsentEvent(event: ConsentEventFacts): FindingDraft[] {
  if (!GRANTS.includes(event.type) || event.lawfulBasis !== 'consent') return [];
  if (INTERACTIVE.includes(event.method)) {
    const problems = [
      !event.proof && 'no-proof',
      // Only an explicit false shows the box was unticked when the person saw it.
      event.proof && event.proof.preTicked !== false && 'pre-ticked',
      !event.noticeTextHash && 'no-notice-text-hash',
      !event.noticeVersionId && 'no-notice-version',
    ].filter((p): p is string => typeof p === 'string');
    return problems.length ? [finding('missing-proof', 'consent-event', event.id, { problems: problems.join(' '), method: event.method })] : [];
  }
  const { importId, formId, url } = event.source ?? {};
  return importId || formId || url ? [] : [finding('missing-source', 'consent-event', event.id, { method: event.method })];
}
