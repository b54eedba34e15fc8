/**
 * The life of an incident as a pure state machine: report → triage → containment → assessment → notification →
 * post-incident review → closed. Each human step is checked by `refuseStep` (the workflow's update validator, so a
 * wrong step is refused before anything is written) and applied by `applyStep`. Obligations are recomputed by the
 * deadline engine whenever the facts or clocks change, and `reconcile` folds the new result into the tracked
 * obligations without losing what was done: obligations that stop applying are withdrawn with their reason, never
 * dropped, and those already notified keep their notices.
 */
import type { Actor } from '../evidence';
import type { EscalationLadder } from './escalation';
import type { AnchorEvent, Assessment, ClockAdjustment, Encryption, IncidentFacts, Obligation, RiskLevel } from './types';

export const PHASES = ['triage', 'containment', 'assessment', 'notification', 'review', 'closed'] as const;
export type Phase = (typeof PHASES)[number];
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type ObligationStatus = 'open' | 'partially-notified' | 'notified' | 'exempt' | 'withdrawn';
export type ContactRole = 'owner' | 'dpo' | 'legal' | 'other';

export interface Contact {
  role: ContactRole;
  email: string;
}

export interface IncidentReport {
  incidentId: string;
  title: string;
  description: string;
  reportedBy: Actor;
  reportedAt: string;
  systems: string[];
  facts: IncidentFacts;
  contacts: Contact[];
  ladder: EscalationLadder;
  asapTargetHours: number;
  /** Days after the assessment within which the post-incident review is due. */
  reviewWithinDays: number;
}

export interface Notice {
  sentAt: string;
  recipientReference: string;
  proof?: { name: string; sha256: string };
  /** False for a first phase of a phased report: the deadline is met, more information follows. */
  final: boolean;
  late: boolean;
  delayReason?: string;
  recordedBy: Actor;
}

export interface TrackedObligation extends Obligation {
  status: ObligationStatus;
  /** Why the status is what it is, when not obvious (withdrawn because…, exempt because…). */
  statusReason?: string;
  notices: Notice[];
  exemption?: { exemptionId: string; justification: string; by: Actor; at: string };
  /** Escalation progress for the current due instant; a moved deadline starts a fresh ladder. */
  escalation: { window: string | null; handled: number; sent: Array<{ label: string; at: string }> };
}

export interface CorrectiveAction {
  id: string;
  description: string;
  owner: string;
  dueAt: string;
}

/** The report, and everything the steps have added to it. */
export interface IncidentState extends IncidentReport {
  phase: Phase;
  severity?: Severity;
  containment: Array<{ measures: string; containedAt?: string; by: Actor; at: string }>;
  consequences?: string;
  revision: number;
  packVersion?: string;
  obligations: TrackedObligation[];
  adjustments: ClockAdjustment[];
  review: { dueAt?: string; completedAt?: string; findings: string[] };
  correctiveActions: CorrectiveAction[];
  closed?: { at: string; by: Actor; reason: string };
  /** Bumped on every change; lets readers keep the newest copy when writes race. */
  version: number;
}

export interface AssessInput {
  anchors?: Partial<Record<AnchorEvent, string>>;
  affected: Record<string, number>;
  dataCategories: string[];
  encryption: Encryption;
  risk: RiskLevel;
  flags: string[];
  consequences: string;
  /** Required for every revision after the first: why the assessment changed. */
  reason?: string;
}

export type Step =
  | { kind: 'triage'; severity: Severity; notes: string }
  | { kind: 'contain'; measures: string; containedAt?: string }
  | ({ kind: 'assess' } & AssessInput)
  | { kind: 'notify'; obligationId: string; sentAt: string; recipientReference: string; proof?: { name: string; sha256: string }; final: boolean; delayReason?: string }
  | { kind: 'exempt'; obligationId: string; exemptionId: string; justification: string }
  | { kind: 'adjust'; obligationId: string; adjustmentId: string; from: string; until?: string; reason: string }
  | { kind: 'lift'; obligationId: string; adjustmentId: string; until: string }
  | { kind: 'review'; findings: string[]; correctiveActions: Array<{ description: string; owner: string; dueAt: string }> }
  | { kind: 'close'; reason: string };

export type StepKind = Step['kind'];

/** In which phases each step may be taken. Assessment stays open to revision until the review. */
const ALLOWED: Record<StepKind, readonly Phase[]> = {
  triage: ['triage'],
  contain: ['containment', 'assessment', 'notification'],
  assess: ['containment', 'assessment', 'notification'],
  notify: ['assessment', 'notification', 'review'],
  exempt: ['assessment', 'notification', 'review'],
  adjust: ['assessment', 'notification', 'review'],
  lift: ['assessment', 'notification', 'review'],
  review: ['notification'],
  close: ['review'],
};

const OPEN: readonly ObligationStatus[] = ['open', 'partially-notified'];
export const isOpen = (o: TrackedObligation): boolean => OPEN.includes(o.status);

/** Escalations stop once a notice has met the deadline, even if a later phase of a phased report is still due. */
export const escalates = (o: TrackedObligation): boolean => o.status === 'open' && o.clock === 'running' && o.dueAt !== null;

export function initialState(report: IncidentReport): IncidentState {
  return {
    ...report,
    phase: 'triage',
    containment: [],
    revision: 0,
    obligations: [],
    adjustments: [],
    review: { findings: [] },
    correctiveActions: [],
    version: 1,
  };
}

/** Why a step cannot be taken at `now`, or undefined when it can. */
export function refuseStep(state: IncidentState, step: Step, now: string): string | undefined {
  if (!ALLOWED[step.kind].includes(state.phase)) {
    return `A ${step.kind} step is not possible while the incident is in ${state.phase}; it is allowed in: ${ALLOWED[step.kind].join(', ')}.`;
  }
  switch (step.kind) {
    case 'assess':
      if (state.revision > 0 && !step.reason) return 'This revises an earlier assessment: give the reason for the revision.';
      return undefined;
    case 'notify': {
      const o = findObligation(state, step.obligationId);
      if (!o) return unknownObligation(state, step.obligationId);
      if (!isOpen(o)) return `Obligation ${o.id} is ${o.status}; nothing more can be notified for it.`;
      if (o.dueAt && step.sentAt > o.dueAt && !step.delayReason) {
        return `The notice was sent after the deadline (${o.dueAt}); the law requires the reasons for the delay: give delayReason.`;
      }
      if (Date.parse(step.sentAt) > Date.parse(now) + 5 * 60_000) return 'sentAt lies in the future.';
      return undefined;
    }
    case 'exempt': {
      const o = findObligation(state, step.obligationId);
      if (!o) return unknownObligation(state, step.obligationId);
      if (!isOpen(o)) return `Obligation ${o.id} is ${o.status}; it cannot be exempted.`;
      if (!o.exemptions.some((e) => e.id === step.exemptionId)) {
        return `Exemption ${step.exemptionId} does not exist for ${o.id}${o.exemptions.length ? `; it allows: ${o.exemptions.map((e) => e.id).join(', ')}` : '; the law allows none'}.`;
      }
      return undefined;
    }
    case 'adjust': {
      const o = findObligation(state, step.obligationId);
      if (!o) return unknownObligation(state, step.obligationId);
      if (!isOpen(o)) return `Obligation ${o.id} is ${o.status}; its clock cannot be adjusted.`;
      const allowed = o.adjustments.find((a) => a.id === step.adjustmentId);
      if (!allowed) {
        return `Adjustment ${step.adjustmentId} does not exist for ${o.id}${o.adjustments.length ? `; it allows: ${o.adjustments.map((a) => a.id).join(', ')}` : '; the law allows no delay or extension'}.`;
      }
      if (state.adjustments.some((a) => a.obligationId === o.id && a.adjustmentId === step.adjustmentId)) return `${step.adjustmentId} is already recorded for ${o.id}.`;
      if (allowed.kind === 'extension' && step.until) return 'An extension has a fixed length; do not give until.';
      if (step.until && step.until <= step.from) return 'until must be after from.';
      return undefined;
    }
    case 'lift': {
      const held = state.adjustments.find((a) => a.obligationId === step.obligationId && a.adjustmentId === step.adjustmentId && !a.until);
      // An extension is recorded without `until` too, but it is not a hold: there is nothing to lift.
      const pause = findObligation(state, step.obligationId)?.adjustments.some((a) => a.id === step.adjustmentId && a.kind === 'pause');
      if (!held || !pause) return `No open hold ${step.adjustmentId} on ${step.obligationId}.`;
      if (step.until <= held.from) return 'The hold cannot end before it started.';
      return undefined;
    }
    case 'close': {
      const open = state.obligations.filter(isOpen);
      if (open.length > 0) {
        return `Obligations are still open: ${open.map((o) => o.id).join(', ')}. Notify them, or record an exemption with its justification.`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function findObligation(state: IncidentState, id: string): TrackedObligation | undefined {
  return state.obligations.find((o) => o.id === id);
}

function unknownObligation(state: IncidentState, id: string): string {
  return `No obligation ${id} on this incident${state.obligations.length ? `; it has: ${state.obligations.map((o) => o.id).join(', ')}` : ''}.`;
}

function mapObligation(state: IncidentState, id: string, change: (o: TrackedObligation) => TrackedObligation): TrackedObligation[] {
  return state.obligations.map((o) => (o.id === id ? change(o) : o));
}

/** Applies a step already accepted by `refuseStep`. `at` is the workflow's clock. */
export function applyStep(state: IncidentState, step: Step, actor: Actor, at: string): IncidentState {
  const next = { ...state, version: state.version + 1 };
  switch (step.kind) {
    case 'triage':
      return { ...next, phase: 'containment', severity: step.severity };
    case 'contain':
      return {
        ...next,
        phase: state.phase === 'containment' ? 'assessment' : state.phase,
        containment: [...state.containment, { measures: step.measures, containedAt: step.containedAt, by: actor, at }],
      };
    case 'assess': {
      const reviewDue = new Date(Date.parse(at) + state.reviewWithinDays * 86_400_000).toISOString();
      return {
        ...next,
        phase: 'notification',
        revision: state.revision + 1,
        consequences: step.consequences,
        facts: {
          ...state.facts,
          anchors: { ...state.facts.anchors, ...step.anchors },
          affected: step.affected,
          dataCategories: step.dataCategories,
          encryption: step.encryption,
          risk: step.risk,
          flags: step.flags,
        },
        review: { ...state.review, dueAt: state.review.dueAt ?? reviewDue },
      };
    }
    case 'notify': {
      const o = findObligation(state, step.obligationId)!;
      const notice: Notice = {
        sentAt: step.sentAt,
        recipientReference: step.recipientReference,
        ...(step.proof ? { proof: step.proof } : {}),
        final: step.final,
        late: o.dueAt !== null && step.sentAt > o.dueAt,
        ...(step.delayReason ? { delayReason: step.delayReason } : {}),
        recordedBy: actor,
      };
      return {
        ...next,
        // The first submission starts the clocks of follow-up reports (NIS2 final report, DORA intermediate report).
        facts: o.notices.length === 0 ? { ...state.facts, submissions: { ...state.facts.submissions, [o.id]: step.sentAt } } : state.facts,
        obligations: mapObligation(state, o.id, (ob) => ({ ...ob, status: step.final ? 'notified' : 'partially-notified', notices: [...ob.notices, notice] })),
      };
    }
    case 'exempt':
      return {
        ...next,
        obligations: mapObligation(state, step.obligationId, (o) => ({
          ...o,
          status: 'exempt',
          statusReason: `${step.exemptionId}: ${step.justification}`,
          exemption: { exemptionId: step.exemptionId, justification: step.justification, by: actor, at },
        })),
      };
    case 'adjust':
      return { ...next, adjustments: [...state.adjustments, { obligationId: step.obligationId, adjustmentId: step.adjustmentId, from: step.from, until: step.until, reason: step.reason }] };
    case 'lift':
      return {
        ...next,
        adjustments: state.adjustments.map((a) => (a.obligationId === step.obligationId && a.adjustmentId === step.adjustmentId && !a.until ? { ...a, until: step.until } : a)),
      };
    case 'review':
      return {
        ...next,
        phase: 'review',
        review: { ...state.review, completedAt: at, findings: step.findings },
        correctiveActions: step.correctiveActions.map((a, i) => ({ id: `ca-${i + 1}`, ...a })),
      };
    case 'close':
      return { ...next, phase: 'closed', closed: { at, by: actor, reason: step.reason } };
  }
}

/** Steps after which the engine must run again: they change the facts or the clocks. */
export function needsRecompute(step: Step): boolean {
  return step.kind === 'assess' || step.kind === 'notify' || step.kind === 'adjust' || step.kind === 'lift';
}

export interface ObligationChange {
  obligationId: string;
  change: 'appeared' | 'withdrawn' | 'reinstated' | 'due-moved' | 'no-longer-applicable';
  detail: string;
}

const freshEscalation = (dueAt: string | null): TrackedObligation['escalation'] => ({ window: dueAt, handled: 0, sent: [] });

/** Folds a new engine result into the tracked obligations, listing every change for the evidence trail. */
export function reconcile(state: IncidentState, assessment: Assessment): { state: IncidentState; changes: ObligationChange[] } {
  const changes: ObligationChange[] = [];
  const computed = new Map(assessment.obligations.map((o) => [o.id, o]));
  const reasons = new Map(assessment.notApplicable.map((n) => [n.ruleId, n.reason]));
  const kept: TrackedObligation[] = state.obligations.map((tracked) => {
    const fresh = computed.get(tracked.id);
    if (!fresh) {
      const reason = reasons.get(tracked.id) ?? 'the rule is no longer in force for this incident';
      if (isOpen(tracked)) {
        changes.push({ obligationId: tracked.id, change: 'withdrawn', detail: reason });
        return { ...tracked, status: 'withdrawn', statusReason: `No longer applicable after revision ${state.revision}: ${reason}` };
      }
      if (tracked.status !== 'withdrawn') changes.push({ obligationId: tracked.id, change: 'no-longer-applicable', detail: reason });
      return tracked;
    }
    const updated: TrackedObligation = { ...tracked, ...fresh };
    if (tracked.status === 'withdrawn') {
      changes.push({ obligationId: tracked.id, change: 'reinstated', detail: fresh.explanation[1] ?? '' });
      return { ...updated, status: 'open', statusReason: undefined, escalation: freshEscalation(fresh.dueAt) };
    }
    if (tracked.dueAt !== fresh.dueAt) {
      changes.push({ obligationId: tracked.id, change: 'due-moved', detail: `${tracked.dueAt ?? 'not started'} → ${fresh.dueAt ?? 'on hold'}` });
      return { ...updated, escalation: freshEscalation(fresh.dueAt) };
    }
    return updated;
  });
  const known = new Set(state.obligations.map((o) => o.id));
  const added: TrackedObligation[] = assessment.obligations
    .filter((o) => !known.has(o.id))
    .map((o) => {
      changes.push({ obligationId: o.id, change: 'appeared', detail: o.explanation[1] ?? '' });
      return { ...o, status: 'open', notices: [], escalation: freshEscalation(o.dueAt) };
    });
  return {
    state: { ...state, packVersion: assessment.packVersion, obligations: [...kept, ...added], version: changes.length ? state.version + 1 : state.version },
    changes,
  };
}

/** The next deadline among open obligations, for listings and search attributes. */
export function nextDue(state: IncidentState): string | undefined {
  return state.obligations
    .filter((o) => isOpen(o) && o.dueAt)
    .map((o) => o.dueAt!)
    .sort()[0];
}
