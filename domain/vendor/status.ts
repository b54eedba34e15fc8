/**
 * Where a vendor is in its life, and which moves between statuses exist. The moves are data: each allowed edge
 * carries why it exists, so a refusal can say what is possible instead. Guards that need more than the two statuses
 * live next to their facts: entering approved / approved-with-conditions / rejected is the outcome of a review
 * (review.ts, four-eyes), and offboarding → offboarded waits for `offboardingComplete` (offboarding.ts).
 *
 * Being at risk (remediation overdue, certificate expired, reassessment overdue, requirement unmet) is deliberately
 * not a status: it is derived by `atRisk` (monitoring.ts) from the facts and the clock. A status would have to be
 * set and cleared by hand in step with those facts, and would hide whether the at-risk vendor was approved,
 * approved with conditions or already being monitored.
 */
import type { VendorStatus } from './types';

export interface Transition {
  from: VendorStatus;
  to: VendorStatus;
  why: string;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'prospective', to: 'under-review', why: 'due diligence starts' },
  { from: 'under-review', to: 'approved', why: 'the review approved the vendor' },
  { from: 'under-review', to: 'approved-with-conditions', why: 'the review approved the vendor with remediation conditions' },
  { from: 'under-review', to: 'rejected', why: 'the review rejected the vendor' },
  { from: 'approved', to: 'monitoring', why: 'the vendor is onboarded and monitored from now on' },
  { from: 'approved', to: 'under-review', why: 'the scope changed before onboarding: review again' },
  { from: 'approved', to: 'offboarding', why: 'the relationship ends before or right after onboarding' },
  { from: 'approved-with-conditions', to: 'monitoring', why: 'the vendor is onboarded; its conditions are tracked while monitored' },
  { from: 'approved-with-conditions', to: 'under-review', why: 'the scope changed before onboarding: review again' },
  { from: 'approved-with-conditions', to: 'offboarding', why: 'the relationship ends before or right after onboarding' },
  { from: 'rejected', to: 'under-review', why: 'the vendor fixed what led to the rejection: review again' },
  // A vendor rejected on re-review may already hold our data and access: it must be offboarded, not just dropped.
  { from: 'rejected', to: 'offboarding', why: 'a vendor rejected on re-review must give back access and data' },
  { from: 'monitoring', to: 'under-review', why: 'periodic reassessment, or a change of scope or of risk' },
  { from: 'monitoring', to: 'offboarding', why: 'the relationship ends' },
  { from: 'offboarding', to: 'offboarded', why: 'every offboarding task is done' },
  { from: 'offboarded', to: 'under-review', why: 'a former vendor is engaged again: fresh due diligence' },
];

/** The statuses reachable from `from`, in table order. */
export function nextStatuses(from: VendorStatus): VendorStatus[] {
  return TRANSITIONS.filter((t) => t.from === from).map((t) => t.to);
}

/** Why a vendor cannot move from `from` to `to`, or undefined when it can. */
export function refuseTransition(from: VendorStatus, to: VendorStatus): string | undefined {
  if (from === to) return `The vendor is already ${from}.`;
  if (TRANSITIONS.some((t) => t.from === from && t.to === to)) return undefined;
  const next = nextStatuses(from);
  return `A vendor cannot go from ${from} to ${to}; from ${from} it can go to: ${next.join(', ')}.`;
}
