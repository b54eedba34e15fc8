import type { ConsentState } from './consent';

/**
 * What a consent lifecycle does next, given the consent's state and what it has already sent. Pure, so the workflow
 * stays a thin loop and these rules are tested without Temporal.
 */
export type LifecycleStepKind = 'confirmation' | 'lapse' | 'renewal' | 'reminder' | 'expiry';

export interface LifecycleStep {
  kind: LifecycleStepKind;
  /** When it is due (ISO instant). */
  at: string;
  /** Names the step within the grant it belongs to; also the idempotency key of what it sends. */
  key: string;
  /** Reminder number, from 1. */
  n?: number;
}

export function isTerminal(state: ConsentState): boolean {
  return state.status === 'withdrawn' || state.status === 'expired' || state.status === 'lapsed';
}

export function nextStep(state: ConsentState, done: ReadonlySet<string>): LifecycleStep | undefined {
  const grant = state.grantEventId;
  const step = (kind: LifecycleStepKind, at: string, n?: number): LifecycleStep => ({ kind, at, key: `${grant}:${kind}${n ? `-${n}` : ''}`, ...(n && { n }) });
  if (state.status === 'pending-confirmation') {
    const confirmation = step('confirmation', state.grantedAt);
    if (!done.has(confirmation.key)) return confirmation;
    return state.confirmBy ? step('lapse', state.confirmBy) : undefined;
  }
  if (state.status !== 'active') return undefined;
  const { renewalAt, reminderAts, expiresAt } = state.schedule;
  if (renewalAt) {
    const renewal = step('renewal', renewalAt);
    if (!done.has(renewal.key)) return renewal;
    for (let i = 0; i < reminderAts.length; i += 1) {
      const reminder = step('reminder', reminderAts[i], i + 1);
      if (!done.has(reminder.key)) return reminder;
    }
  }
  return expiresAt ? step('expiry', expiresAt) : undefined;
}

/** One lifecycle per subject × purpose; both ids are opaque, so the workflow id carries no personal data. */
export function lifecycleWorkflowId(subjectId: string, purposeId: string): string {
  return `consent-${subjectId}-${purposeId}`;
}
