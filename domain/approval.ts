/**
 * Approval: a decision one person asks another to take, with four-eyes enforced — the requester can never decide
 * their own request. It is the building block later processes use for every human sign-off (vendor approval,
 * cleansing of data found by an audit, verification of a corrective action). Pure state and rules; the workflow in
 * workflows/approval.ts wires them to Temporal.
 */
import type { Actor } from './evidence';
import type { Role } from './roles';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
export type Decision = 'approve' | 'reject';

export interface ApprovalRequest {
  approvalId: string;
  title: string;
  /** What is being approved: an opaque reference, never PII. */
  resource: { type: string; id: string };
  requestedBy: Actor;
  /** Who may decide: anyone holding this role, and/or the listed principals. */
  approverRole?: Role;
  approverIds: string[];
  /** Addresses told about the request; encrypted in workflow history by the payload codec. */
  notify: string[];
  remindEverySeconds: number;
  maxReminders: number;
  /** Seconds from the request until it expires undecided. */
  expiresInSeconds: number;
  /** Hash of the request body, so an Idempotency-Key replayed with a different body is refused. */
  requestHash: string;
  requestedAt: string;
}

export interface DecisionInput {
  decision: Decision;
  reason: string;
  decidedBy: Actor;
  /** The decider's roles at the time of the decision, as authenticated by the API. */
  deciderRoles: Role[];
}

export interface ApprovalState {
  approvalId: string;
  title: string;
  resource: { type: string; id: string };
  status: ApprovalStatus;
  requestedBy: Actor;
  requestedAt: string;
  expiresAt: string;
  approverRole?: Role;
  approverIds: string[];
  remindersSent: number;
  decision?: { decision: Decision; reason: string; decidedBy: Actor; decidedAt: string };
  requestHash: string;
}

export function initialState(request: ApprovalRequest): ApprovalState {
  return {
    approvalId: request.approvalId,
    title: request.title,
    resource: request.resource,
    status: 'pending',
    requestedBy: request.requestedBy,
    requestedAt: request.requestedAt,
    expiresAt: new Date(Date.parse(request.requestedAt) + request.expiresInSeconds * 1000).toISOString(),
    approverRole: request.approverRole,
    approverIds: request.approverIds,
    remindersSent: 0,
    requestHash: request.requestHash,
  };
}

/** Why this decision may not be taken, or undefined when it may. */
export function refuseDecision(state: ApprovalState, input: DecisionInput): string | undefined {
  if (state.status !== 'pending') return `approval is already ${state.status}`;
  if (input.reason.trim().length === 0) return 'a reason is required';
  if (input.decidedBy.id === state.requestedBy.id) return 'four-eyes rule: the requester cannot decide their own request';
  const named = state.approverIds.includes(input.decidedBy.id);
  const byRole = state.approverRole !== undefined && input.deciderRoles.includes(state.approverRole);
  if (!named && !byRole) return 'you are not an approver of this request';
  return undefined;
}

export function applyDecision(state: ApprovalState, input: DecisionInput, decidedAt: string): ApprovalState {
  return {
    ...state,
    status: input.decision === 'approve' ? 'approved' : 'rejected',
    decision: { decision: input.decision, reason: input.reason.trim(), decidedBy: input.decidedBy, decidedAt },
  };
}

/** When the next reminder is due, or undefined when no more reminders go out. */
export function nextReminderAt(request: ApprovalRequest, state: ApprovalState): string | undefined {
  if (state.status !== 'pending' || state.remindersSent >= request.maxReminders || request.remindEverySeconds <= 0) return undefined;
  const due = Date.parse(state.requestedAt) + (state.remindersSent + 1) * request.remindEverySeconds * 1000;
  return due < Date.parse(state.expiresAt) ? new Date(due).toISOString() : undefined;
}
