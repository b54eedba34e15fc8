/**
 * A cleansing run: the automatic fixes an audit found (see `proposeFixes`) are first shown as a dry run, decided by a
 * second person, and only then written. Records keep changing while the preview waits, so each change is written only
 * where the record still holds the value the approver saw. Pure state and rules in the manner of domain/approval.ts:
 * `refuse*` says why a step may not be taken, `apply*` returns the state after it.
 */
import type { Decision } from '../approval';
import type { Actor } from '../evidence';

export type CleansingStatus = 'previewed' | 'approved' | 'rejected' | 'applied' | 'expired';

export type ChangeOutcome = 'apply' | 'skip-changed' | 'skip-already-fixed';

export interface CleansingRun {
  runId: string;
  status: CleansingStatus;
  requestedBy: Actor;
  previewedAt: string;
  /** After this instant the preview is too old to approve: the records it showed may have changed too much. */
  expiresAt: string;
  decision?: { decision: Decision; by: Actor; reason?: string; decidedAt: string };
  /** How many previewed changes ended in each outcome, once the run is applied. */
  outcomes?: Record<ChangeOutcome, number>;
  appliedAt?: string;
  expiredAt?: string;
}

export interface CleansingDecision {
  by: Actor;
  decision: Decision;
  /** Required to reject, so the requester learns what to change; optional to approve. */
  reason?: string;
}

export function previewedRun(runId: string, requestedBy: Actor, previewedAt: string, expiresAt: string): CleansingRun {
  if (!(Date.parse(expiresAt) > Date.parse(previewedAt))) throw new RangeError('a preview must expire after it was made');
  return { runId, status: 'previewed', requestedBy, previewedAt, expiresAt };
}

/** Why this decision may not be taken, or undefined when it may. */
export function refuseDecision(state: CleansingRun, input: CleansingDecision): string | undefined {
  if (state.status !== 'previewed') return `cleansing run is already ${state.status}`;
  if (input.decision === 'reject' && !input.reason?.trim()) return 'a reason is required to reject';
  // The engine approving its own proposals would be no second pair of eyes at all.
  if (input.by.type !== 'person') return 'a person must decide a cleansing run';
  if (input.by.id === state.requestedBy.id) return 'four-eyes rule: the requester cannot decide their own cleansing run';
  return undefined;
}

export function applyDecision(state: CleansingRun, input: CleansingDecision, decidedAt: string): CleansingRun {
  const reason = input.reason?.trim();
  return {
    ...state,
    status: input.decision === 'approve' ? 'approved' : 'rejected',
    decision: { decision: input.decision, by: input.by, ...(reason && { reason }), decidedAt },
  };
}

/** Why the run may not expire at `at`, or undefined when it may: only an undecided preview expires, once its time is up. */
export function refuseExpiry(state: CleansingRun, at: string): string | undefined {
  if (state.status !== 'previewed') return `cleansing run is already ${state.status}`;
  if (Date.parse(at) < Date.parse(state.expiresAt)) return `the preview is valid until ${state.expiresAt}`;
  return undefined;
}

export function applyExpiry(state: CleansingRun, at: string): CleansingRun {
  return { ...state, status: 'expired', expiredAt: at };
}

/** Why the outcomes of writing the changes may not be recorded, or undefined when they may: only an approved run is written. */
export function refuseOutcomes(state: CleansingRun): string | undefined {
  return state.status === 'approved' ? undefined : `cleansing run is ${state.status}, not approved`;
}

export function applyOutcomes(state: CleansingRun, outcomes: Record<ChangeOutcome, number>, appliedAt: string): CleansingRun {
  return { ...state, status: 'applied', outcomes: { ...outcomes }, appliedAt };
}

/**
 * What to do with one previewed change, given the field's value now. The approver saw `before` become `after`;
 * anything else in the field now is a change they did not see, and is left for the next audit.
 */
export function outcomeOfChange(previewed: { before: string; after: string }, current: string | undefined): ChangeOutcome {
  if (current === previewed.after) return 'skip-already-fixed';
  return current === previewed.before ? 'apply' : 'skip-changed';
}
