import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import { Duration } from 'luxon';
import type { Actor } from '../domain/evidence';
import { certificateExpiresAt, DEFAULT_LEAD_DAYS, reassessmentDue, type Cadence } from '../domain/vendor/monitoring';
import { completeTask, offboardingComplete, refuseTaskCompletion, type OffboardingTask, type TaskCompletion } from '../domain/vendor/offboarding';
import { needsSecurityReview, type Scoring } from '../domain/vendor/questionnaire';
import { applyDecision, initialReview, isDecided, refuseDecision, type ConditionInput, type ReviewDecision, type ReviewState } from '../domain/vendor/review';
import { maxTier } from '../domain/vendor/risk';
import { DEFAULT_QUESTIONNAIRE_TIMING, questionnaireSchedule, type QuestionnaireTiming } from '../domain/vendor/schedule';
import { offboardingTasks } from '../domain/vendor/offboarding';
import type { EvidenceFile, RemediationItem } from '../domain/vendor/types';
import {
  completeRemediationItem,
  escalateToOwner,
  expireQuestionnaire,
  monitoringFacts,
  offboardingFacts,
  openVendorReview,
  recordEvidence,
  requestCertificateRenewal,
  scoreSubmission,
  sendQuestionnaire,
  setVendorStatus,
} from './activities';

// The whole message surface of a vendor's due diligence and monitoring.
/** From the API after a profile change (a renewed certificate, say), so monitoring plans from the new facts. */
export const profileChangedSignal = defineSignal('profileChanged');
/** From the vendor portal, after the questionnaire was closed as submitted (exactly once) in the database. */
export const questionnaireSubmittedSignal = defineSignal<[{ questionnaireId: string }]>('questionnaireSubmitted');
/** Human steps are updates: a refused step (self-approval, wrong phase) is answered at once with its reason. */
export const securityReviewUpdate = defineUpdate<VendorProcess, [{ findings: string[]; conditions: ConditionInput[]; reviewer: Actor }]>('securityReview');
export const vendorDecisionUpdate = defineUpdate<VendorProcess, [ReviewDecision]>('decide');
export const completeRemediationUpdate = defineUpdate<VendorProcess, [{ itemId: string; by: Actor; evidence?: EvidenceFile; note?: string }]>('completeRemediation');
export const reReviewUpdate = defineUpdate<VendorProcess, [{ reason: string; by: Actor }]>('reReview');
export const offboardUpdate = defineUpdate<VendorProcess, [{ reason: string; by: Actor }]>('offboard');
export const completeOffboardingTaskUpdate = defineUpdate<VendorProcess, [TaskCompletion]>('completeOffboardingTask');
export const vendorProcessQuery = defineQuery<VendorProcess>('process');

export type VendorPhase = 'questionnaire' | 'security-review' | 'decision' | 'monitoring' | 'offboarding' | 'rejected' | 'lapsed' | 'offboarded';

export interface VendorReviewInput {
  vendorId: string;
  cycle: number;
  requestedBy: Actor;
  reason: string;
  timing?: QuestionnaireTiming;
  /** Reassessment cadence in months per tier; `reassessEvery` (an ISO duration) overrides it, e.g. for a pilot. */
  cadence?: Partial<Cadence>;
  reassessEvery?: string;
  certificateLeadDays?: number[];
  /** Carried over from the previous cycle: remediation escalations already sent and certificate requests made. */
  sent?: string[];
}

export interface VendorProcess {
  vendorId: string;
  cycle: number;
  phase: VendorPhase;
  tier?: string;
  questionnaire?: { questionnaireId: string; setId: string; sentAt: string; expiresAt: string; remindersSent: number; escalated: boolean; submitted: boolean };
  scoring?: Scoring;
  securityReview?: { required: boolean; reasons: string[]; findings?: string[]; reviewer?: Actor; closedAt?: string };
  review?: ReviewState;
  remediation: RemediationItem[];
  offboarding?: OffboardingTask[];
  /** The next things the process waits for, soonest first. */
  upcoming: Array<{ what: string; at: string }>;
  sent: string[];
}

const ENGINE: Actor = { id: 'system:vendor-monitoring', type: 'system' };

export const vendorWorkflowId = (vendorId: string): string => `vendor-${vendorId}`;

export async function vendorWorkflow(input: VendorReviewInput): Promise<VendorProcess> {
  const { workflowId } = workflowInfo();
  const now = (): string => new Date().toISOString();
  const resource = { type: 'vendor', id: input.vendorId };
  const reviewId = `${workflowId}-c${input.cycle}`;
  const state: VendorProcess = { vendorId: input.vendorId, cycle: input.cycle, phase: 'questionnaire', remediation: [], upcoming: [], sent: input.sent ?? [] };
  let next: 'reassess' | 'offboard' | undefined;
  let reReviewReason = '';
  const alreadyNext = () => (next === 'offboard' ? 'Offboarding has already started.' : 'A new review cycle is already starting.');
  /** Offboarding tasks whose completion is on record in the evidence trail. */
  const recorded = new Set<string>();
  const evidence = (step: string, action: string, actor: Actor, data: Record<string, unknown>) =>
    recordEvidence({ key: `${reviewId}:${step}`, at: new Date(), actor, action, resource, data: JSON.parse(JSON.stringify(data)) as never });

  let profileChanges = 0;
  setHandler(vendorProcessQuery, () => state);
  setHandler(profileChangedSignal, () => void (profileChanges += 1));
  setHandler(questionnaireSubmittedSignal, ({ questionnaireId }) => {
    if (state.questionnaire?.questionnaireId === questionnaireId) state.questionnaire.submitted = true;
  });
  setHandler(
    securityReviewUpdate,
    async ({ findings, conditions, reviewer }) => {
      state.securityReview = { ...state.securityReview!, findings, reviewer, closedAt: now() };
      // The reviewer's conditions are proposed to the deciders, who approve with them (or others) or reject.
      state.review = { ...state.review!, securityReview: 'closed' };
      await evidence('security-review', 'vendor.security-reviewed', reviewer, { findings, proposedConditions: conditions });
      state.phase = 'decision';
      return state;
    },
    { validator: (_review) => refuse(state.phase !== 'security-review', `No security review is open: the process is in ${state.phase}.`) },
  );
  setHandler(
    vendorDecisionUpdate,
    async (decision) => {
      state.review = applyDecision(state.review!, decision, now());
      await evidence(`decision-${state.review.decisions.length}`, `vendor.${decision.decision}`, decision.decidedBy, { reason: decision.reason, status: state.review.status, conditions: state.review.conditions });
      return state;
    },
    {
      validator: (decision) => {
        refuse(state.phase !== 'decision' || !state.review, `No decision is pending: the process is in ${state.phase}.`);
        refuse(true, refuseDecision(state.review!, decision, now()));
      },
    },
  );
  setHandler(
    completeRemediationUpdate,
    async ({ itemId, by, evidence: file, note }) => {
      const item = { ...state.remediation.find((r) => r.id === itemId)!, completedAt: now(), completedBy: by, ...(file && { evidence: file }) };
      state.remediation = state.remediation.map((r) => (r.id === itemId ? item : r));
      await completeRemediationItem({ vendorId: input.vendorId, item });
      await evidence(`remediation-${itemId}`, 'vendor.remediation-completed', by, { itemId, note, evidence: file });
      return state;
    },
    {
      validator: ({ itemId }) => {
        const item = state.remediation.find((r) => r.id === itemId);
        refuse(!item, `No remediation item ${itemId}; open items: ${state.remediation.filter((r) => !r.completedAt).map((r) => r.id).join(', ') || 'none'}.`);
        refuse(Boolean(item?.completedAt), `${itemId} was already completed at ${item?.completedAt}.`);
      },
    },
  );
  setHandler(
    reReviewUpdate,
    async ({ reason, by }) => {
      await evidence('re-review', 'vendor.re-review-requested', by, { reason });
      reReviewReason = reason;
      next = 'reassess';
      return state;
    },
    {
      validator: (_request) => {
        refuse(state.phase !== 'monitoring', `A re-review starts from monitoring; the process is in ${state.phase}.`);
        refuse(next !== undefined, alreadyNext());
      },
    },
  );
  setHandler(
    offboardUpdate,
    async ({ reason, by }) => {
      await evidence('offboard', 'vendor.offboarding-started', by, { reason });
      next = 'offboard';
      // Answer once the tasks are open, so the caller sees them (and can complete them) right away.
      await condition(() => state.phase === 'offboarding' && state.offboarding !== undefined);
      return state;
    },
    {
      validator: (_request) => {
        refuse(state.phase !== 'monitoring' && state.phase !== 'rejected', `Offboarding starts from monitoring; the process is in ${state.phase}.`);
        // One way out of monitoring: an offboarding waiting for its tasks must not be overtaken by a new cycle.
        refuse(next !== undefined, alreadyNext());
      },
    },
  );
  setHandler(
    completeOffboardingTaskUpdate,
    async (completion) => {
      state.offboarding = completeTask(state.offboarding!, completion, now());
      await evidence(`offboarding-${completion.kind}`, 'vendor.offboarding-task-completed', completion.by, { ...completion });
      recorded.add(completion.kind);
      // The last task ends the offboarding: answer once the vendor is offboarded, not while it still says offboarding.
      if (offboardingComplete(state.offboarding)) await condition(() => state.phase === 'offboarded');
      return state;
    },
    {
      validator: (completion) => {
        refuse(state.phase !== 'offboarding' || !state.offboarding, `No offboarding is under way: the process is in ${state.phase}.`);
        refuse(true, refuseTaskCompletion(state.offboarding!, completion, now()));
      },
    },
  );

  // 1. Due diligence: the questionnaire the inherent tier calls for, with reminders, escalation and expiry.
  const opening = await openVendorReview(input.vendorId);
  state.tier = opening.tier;
  await evidence('opened', 'vendor.review-opened', input.requestedBy, { cycle: input.cycle, reason: input.reason, tier: opening.tier, reasons: opening.reasons, unmetRequirements: opening.unmetRequirements, questionnaire: opening.setId });
  const sentAt = now();
  const schedule = questionnaireSchedule(sentAt, input.timing ?? DEFAULT_QUESTIONNAIRE_TIMING);
  const questionnaireId = `${reviewId}-q`;
  state.questionnaire = { questionnaireId, setId: opening.setId, sentAt, expiresAt: schedule.expiresAt, remindersSent: 0, escalated: false, submitted: false };
  const send = (reminder: number) => sendQuestionnaire({ questionnaireId, vendorId: input.vendorId, reviewId, setId: opening.setId, setVersion: opening.setVersion, sentAt, expiresAt: schedule.expiresAt, reminder });
  await send(0);
  const q = state.questionnaire;
  while (!q.submitted) {
    const plan = [
      ...schedule.reminders.slice(q.remindersSent, q.remindersSent + 1).map((at) => ({ what: 'reminder', at })),
      ...(q.escalated ? [] : [{ what: 'escalation', at: schedule.escalationAt }]),
      { what: 'expiry', at: schedule.expiresAt },
    ].sort((a, b) => a.at.localeCompare(b.at));
    state.upcoming = plan.map((p) => ({ what: `questionnaire ${p.what}`, at: p.at }));
    if (await condition(() => q.submitted, Math.max(1, Date.parse(plan[0].at) - Date.now()))) break;
    if (plan[0].what === 'reminder') {
      q.remindersSent += 1;
      await send(q.remindersSent);
    } else if (plan[0].what === 'escalation') {
      q.escalated = true;
      await escalateToOwner({ key: `${questionnaireId}:escalation`, vendorId: input.vendorId, what: 'The due-diligence questionnaire', dueAt: schedule.escalationAt });
    } else if (await expireQuestionnaire(questionnaireId)) {
      await evidence('questionnaire-expired', 'vendor.questionnaire-expired', ENGINE, { questionnaireId });
      await setVendorStatus({ vendorId: input.vendorId, status: 'rejected' });
      return finish('lapsed');
    } else {
      q.submitted = true; // submitted in the same instant it expired: the submission stands
    }
  }

  // 2. Scoring, the security review where the risk calls for one, and the four-eyes decision.
  state.upcoming = [];
  const scoring = await scoreSubmission({ questionnaireId, tier: opening.tier, now: now() });
  state.scoring = scoring;
  const security = needsSecurityReview(opening.tier, scoring);
  state.securityReview = { required: security.required, reasons: security.reasons };
  await evidence('scored', 'vendor.questionnaire-scored', ENGINE, { score: scoring.score, residualRisk: scoring.residualRisk, failing: scoring.failing, securityReview: security });
  state.review = initialReview({
    reviewId,
    vendorId: input.vendorId,
    tier: maxTier(opening.tier, scoring.residualRisk),
    requestedBy: input.requestedBy,
    requestedAt: sentAt,
    approverRole: 'compliance-officer',
    approverIds: [],
    securityReview: security.required ? 'open' : 'not-required',
    unmetRequirements: opening.unmetRequirements,
  });
  state.phase = security.required ? 'security-review' : 'decision';
  await condition(() => state.review !== undefined && isDecided(state.review));
  const review = state.review;
  if (review.status === 'rejected') {
    await setVendorStatus({ vendorId: input.vendorId, status: 'rejected' });
    state.phase = 'rejected';
    // A vendor approved in an earlier cycle holds our data and access: rejecting it on re-review leads to offboarding.
    // One never approved has nothing to give back, and its process ends here.
    if (!(await monitoringFacts(input.vendorId)).lastApprovedAt) return finish('rejected');
    await condition(() => next === 'offboard');
  } else {
    const approvedAt = review.decidedAt!;
    state.remediation = review.conditions;
    await setVendorStatus({ vendorId: input.vendorId, status: review.status as 'approved' | 'approved-with-conditions', lastApprovedAt: approvedAt, remediation: review.conditions });
    await setVendorStatus({ vendorId: input.vendorId, status: 'monitoring' });
    state.phase = 'monitoring';
    await monitor(approvedAt);
  }

  if (next === 'reassess') {
    await condition(allHandlersFinished);
    return continueAsNew<typeof vendorWorkflow>({ ...input, cycle: input.cycle + 1, requestedBy: ENGINE, reason: reReviewReason || 'periodic reassessment', sent: state.sent });
  }

  // 3. Offboarding: every task done, then the vendor is offboarded.
  await setVendorStatus({ vendorId: input.vendorId, status: 'offboarding' });
  state.phase = 'offboarding';
  state.offboarding = offboardingTasks(await offboardingFacts(input.vendorId), now());
  // Every completion on record before the offboarding is: the trail never says offboarded ahead of a task.
  await condition(() => offboardingComplete(state.offboarding!) && state.offboarding!.every((t) => recorded.has(t.kind)));
  await setVendorStatus({ vendorId: input.vendorId, status: 'offboarded' });
  await evidence('offboarded', 'vendor.offboarded', ENGINE, { tasks: state.offboarding.map((t) => ({ kind: t.kind, completedAt: t.completedAt })) });
  return finish('offboarded');

  /**
   * Monitoring: sleeps until the next reassessment, certificate reminder or remediation deadline, and wakes early for
   * a re-review, an offboarding or a completed remediation item. Facts are read again at every wake-up, so a renewed
   * certificate uploaded meanwhile moves its reminders.
   */
  async function monitor(approvedAt: string): Promise<void> {
    const reassessAt = input.reassessEvery ? new Date(Date.parse(approvedAt) + Duration.fromISO(input.reassessEvery).toMillis()).toISOString() : reassessmentDue(opening.tier, approvedAt, input.cadence);
    for (;;) {
      const facts = await monitoringFacts(input.vendorId);
      const due: Array<{ what: string; at: string; key: string; act: () => Promise<unknown> }> = [{ what: 'reassessment', at: reassessAt, key: 'reassessment', act: async () => (next = 'reassess') }];
      for (const cert of facts.certifications) {
        const expires = certificateExpiresAt(cert);
        // Longest lead first; a lead whose shorter successor is already past is passed over, so that leads missed
        // together (a certificate close to expiry when monitoring starts) make one request, not one each.
        const leads = [...new Set(input.certificateLeadDays ?? DEFAULT_LEAD_DAYS)].sort((a, b) => b - a);
        const leadAt = (lead: number) => Date.parse(expires) - lead * 86_400_000;
        for (const [i, lead] of leads.entries()) {
          const key = `certificate:${cert.kind}:${cert.expiresOn}:${lead}`;
          if (state.sent.includes(key) || now() >= expires) continue;
          if (i + 1 < leads.length && leadAt(leads[i + 1]) <= Date.now()) continue;
          // A lead already past when monitoring starts is sent at once, once: the renewal is due either way.
          const at = new Date(Math.max(leadAt(lead), Date.now())).toISOString();
          due.push({ what: `renewal request for ${cert.kind} expiring ${cert.expiresOn}`, at, key, act: () => requestCertificateRenewal({ key: `${workflowId}:${key}`, vendorId: input.vendorId, certificate: cert }) });
          break;
        }
      }
      for (const item of state.remediation) {
        const key = `remediation-overdue:${item.id}`;
        if (item.completedAt || state.sent.includes(key)) continue;
        due.push({ what: `remediation ${item.id} due`, at: item.dueAt, key, act: () => escalateToOwner({ key: `${workflowId}:${key}`, vendorId: input.vendorId, what: `Remediation "${item.description}"`, dueAt: item.dueAt }) });
      }
      due.sort((a, b) => a.at.localeCompare(b.at));
      state.upcoming = due.map((d) => ({ what: d.what, at: d.at }));
      const completed = state.remediation.filter((r) => r.completedAt).length;
      const changes = profileChanges;
      const woke = await condition(
        () => next !== undefined || profileChanges !== changes || state.remediation.filter((r) => r.completedAt).length !== completed,
        Math.max(1, Date.parse(due[0].at) - Date.now()),
      );
      if (next) return;
      if (woke) continue;
      const first = due[0];
      await first.act();
      if (first.key !== 'reassessment') {
        state.sent = [...state.sent, first.key];
        await evidence(first.key, first.key.startsWith('remediation') ? 'vendor.remediation-overdue' : 'vendor.certificate-renewal-requested', ENGINE, { what: first.what, at: first.at });
      }
      if (next) return;
    }
  }

  async function finish(phase: VendorPhase): Promise<VendorProcess> {
    state.phase = phase;
    state.upcoming = [];
    await condition(allHandlersFinished);
    return state;
  }
}

/** Throws the refusal an update validator reports to the caller, when there is one. */
function refuse(when: boolean, reason: string | undefined): void {
  if (when && reason) throw ApplicationFailure.nonRetryable(reason, 'StepRefused');
}
