/**
 * The decision on a vendor after due diligence, in the spirit of domain/approval.ts: a plain state, `refuseDecision`
 * (the workflow's update validator, so a wrong decision is refused before anything is written) and `applyDecision`
 * (the reducer). On top of the simple approval rules:
 *
 * - four eyes: the requester never decides, and a critical-tier vendor needs two distinct approvers — the first
 *   approval is recorded and waits for the second; a rejection by any approver ends the review at once;
 * - an approval with conditions must list them as remediation items (description, owner, due date);
 * - no approval while the security review is open, or while a legal requirement (DPA, transfer mechanism) is unmet,
 *   unless conditions of this review cover it (`covers`). Rejecting is always possible: it needs no evidence that
 *   the vendor is safe.
 *
 * The workflow keeps `securityReview` and `unmetRequirements` current (from `needsSecurityReview` and
 * `missingRequirements`) by replacing those fields; the rules read them at the moment of each decision.
 */
import type { Actor } from '../evidence';
import type { Role } from '../roles';
import { isInstant } from './dates';
import { REQUIREMENTS, type RemediationItem, type Requirement, type Tier } from './types';

export type ReviewStatus = 'pending' | 'partially-approved' | 'approved' | 'approved-with-conditions' | 'rejected';
export type SecurityReview = 'not-required' | 'open' | 'closed';

/** Distinct approvers each tier needs. */
export const APPROVALS_REQUIRED: Readonly<Record<Tier, number>> = { low: 1, medium: 1, high: 1, critical: 2 };

export interface ReviewRequest {
  reviewId: string;
  vendorId: string;
  /** The higher of the inherent and residual tiers: whichever of them says critical, two people sign. */
  tier: Tier;
  requestedBy: Actor;
  requestedAt: string;
  /** Who may decide: anyone holding this role, and/or the listed principals. */
  approverRole?: Role;
  approverIds: string[];
  securityReview: SecurityReview;
  unmetRequirements: Requirement[];
}

export interface ConditionInput {
  description: string;
  /** Principal id of whoever sees the condition through. */
  owner: string;
  dueAt: string;
  /** The unmet requirements this condition closes, e.g. `['dpa']` for "sign the DPA within 30 days". */
  covers?: Requirement[];
}

interface DecisionBase {
  reason: string;
  decidedBy: Actor;
  /** The decider's roles at the time of the decision, as authenticated by the API. */
  deciderRoles: Role[];
}

export type ReviewDecision =
  | (DecisionBase & { decision: 'approve' })
  | (DecisionBase & { decision: 'approve-with-conditions'; conditions: ConditionInput[] })
  | (DecisionBase & { decision: 'reject' });

export interface RecordedDecision {
  decision: ReviewDecision['decision'];
  reason: string;
  decidedBy: Actor;
  decidedAt: string;
  /** Ids of the remediation items this decision added. */
  conditionIds: string[];
}

export interface ReviewState extends ReviewRequest {
  status: ReviewStatus;
  decisions: RecordedDecision[];
  /** Conditions of every approval so far; once the review approves, they become the vendor's remediation items. */
  conditions: RemediationItem[];
  decidedAt?: string;
}

const OPEN: readonly ReviewStatus[] = ['pending', 'partially-approved'];

export function initialReview(request: ReviewRequest): ReviewState {
  return { ...request, status: 'pending', decisions: [], conditions: [] };
}

export function isDecided(review: ReviewState): boolean {
  return !OPEN.includes(review.status);
}

const approvers = (review: ReviewState): string[] => review.decisions.filter((d) => d.decision !== 'reject').map((d) => d.decidedBy.id);

/** Why this decision may not be taken at `now`, or undefined when it may. */
export function refuseDecision(review: ReviewState, input: ReviewDecision, now: string): string | undefined {
  if (!OPEN.includes(review.status)) return `the review is already ${review.status}`;
  if (input.reason.trim().length === 0) return 'a reason is required';
  if (input.decidedBy.id === review.requestedBy.id) return 'four-eyes rule: the requester cannot decide their own review';
  const named = review.approverIds.includes(input.decidedBy.id);
  // An admin may do whatever any role may (domain/roles.ts), so decides as a holder of the approver role would.
  const byRole = review.approverRole !== undefined && (input.deciderRoles.includes(review.approverRole) || input.deciderRoles.includes('admin'));
  if (!named && !byRole) return 'you are not an approver of this review';
  if (input.decision === 'reject') return undefined;
  if (approvers(review).includes(input.decidedBy.id)) {
    return `four-eyes rule: you have already approved; a ${review.tier} vendor needs ${APPROVALS_REQUIRED[review.tier]} different approvers`;
  }
  if (review.securityReview === 'open') return 'the security review is still open: close it before approving';
  const added = input.decision === 'approve-with-conditions' ? input.conditions : [];
  if (input.decision === 'approve-with-conditions') {
    const problem = conditionsProblem(added, now);
    if (problem) return problem;
  }
  const covered = new Set([...review.conditions.flatMap((c) => c.covers), ...added.flatMap((c) => c.covers ?? [])]);
  const uncovered = review.unmetRequirements.filter((r) => !covered.has(r));
  if (uncovered.length) {
    return `requirements unmet: ${uncovered.join(', ')}; meet them first, or approve with conditions that cover them`;
  }
  return undefined;
}

function conditionsProblem(conditions: readonly ConditionInput[], now: string): string | undefined {
  if (!Array.isArray(conditions) || conditions.length === 0) return 'an approval with conditions must list at least one condition';
  for (const [i, c] of conditions.entries()) {
    const at = `condition ${i + 1}`;
    if (!c.description?.trim()) return `${at}: a description is required`;
    if (!c.owner?.trim()) return `${at}: an owner is required`;
    if (!isInstant(c.dueAt)) return `${at}: dueAt must be an ISO 8601 timestamp`;
    if (Date.parse(c.dueAt) <= Date.parse(now)) return `${at}: dueAt must be in the future`;
    const covers: readonly string[] = c.covers ?? [];
    const unknown = covers.filter((r) => !(REQUIREMENTS as readonly string[]).includes(r));
    if (unknown.length) return `${at}: covers names unknown requirements (${unknown.join(', ')}); known: ${REQUIREMENTS.join(', ')}`;
  }
  return undefined;
}

/** Applies a decision already accepted by `refuseDecision`. `at` is the workflow's clock. */
export function applyDecision(review: ReviewState, input: ReviewDecision, at: string): ReviewState {
  const added: RemediationItem[] =
    input.decision === 'approve-with-conditions'
      ? input.conditions.map((c, i) => ({
          id: `${review.reviewId}-c${review.conditions.length + i + 1}`,
          description: c.description.trim(),
          owner: c.owner.trim(),
          dueAt: c.dueAt,
          covers: [...new Set(c.covers ?? [])],
        }))
      : [];
  const recorded: RecordedDecision = { decision: input.decision, reason: input.reason.trim(), decidedBy: input.decidedBy, decidedAt: at, conditionIds: added.map((c) => c.id) };
  const next: ReviewState = { ...review, decisions: [...review.decisions, recorded], conditions: [...review.conditions, ...added] };
  if (input.decision === 'reject') return { ...next, status: 'rejected', decidedAt: at };
  if (new Set(approvers(next)).size < APPROVALS_REQUIRED[review.tier]) return { ...next, status: 'partially-approved' };
  return { ...next, status: next.conditions.length ? 'approved-with-conditions' : 'approved', decidedAt: at };
}
