/**
 * Corrective actions: the follow-up an audit opens for one rule of one check (all `phone-invalid` records, say), owned
 * by one person and due by a deadline set by severity. Later runs that report the same rule join the open action. The
 * owner, or a delegate, submits evidence of the fix; someone independent of both verifies it (closing the action) or
 * rejects it (reopening it). Instead of a fix, someone other than the owner may accept the risk. Pure state and rules in
 * the style of approval.ts: refuse* says why a step may not be taken, apply* takes it and trusts that check was made.
 *
 * Durations are ISO 8601 (`P30D`, `P1M`, `PT10S` for tests), added in UTC: calendar months clamp to the month's last
 * day, so 31 January plus a month is the last day of February.
 */
import { DateTime, Duration } from 'luxon';
import { isDuration } from '../consent-policy';
import type { CheckId, Severity } from './types';

export type CorrectiveStatus = 'open' | 'evidence-submitted' | 'closed' | 'risk-accepted';
export type VerificationOutcome = 'verified' | 'rejected';

export interface RunFindings {
  runId: string;
  findingCount: number;
}

export interface Evidence {
  by: string;
  at: string;
  note: string;
  links?: string[];
}

export interface CorrectiveAction {
  id: string;
  check: CheckId;
  rule: string;
  severity: Severity;
  /** Principal id of the person answerable for the fix. */
  owner: string;
  openedBy: string;
  openedAt: string;
  dueAt: string;
  status: CorrectiveStatus;
  runs: RunFindings[];
  evidence: Evidence[];
  /** The latest verification; a rejection stays here until the next one replaces it. */
  verification?: { by: string; at: string; outcome: VerificationOutcome; note: string };
  riskAcceptance?: { by: string; at: string; reason: string; approver: string };
  /** How many reminders and escalations are behind us, sent or skipped as stale (see `nextNotice`). */
  remindersSent: number;
  escalationsSent: number;
}

export interface CorrectiveActionPolicy {
  /** Time from opening to the deadline, by severity. */
  dueIn: Record<Severity, string>;
  /** How long before the deadline each reminder goes out. */
  reminderLeads: string[];
  /** Escalations start at the deadline and repeat this often while the action stays unresolved... */
  escalateEvery: string;
  /** ...this many times at most. */
  maxEscalations: number;
}

export const DEFAULT_POLICY: CorrectiveActionPolicy = {
  dueIn: { critical: 'P7D', high: 'P30D', medium: 'P60D', low: 'P90D', info: 'P180D' },
  reminderLeads: ['P7D', 'P1D'],
  escalateEvery: 'P7D',
  maxEscalations: 4,
};

export type OpenInput = Pick<CorrectiveAction, 'id' | 'check' | 'rule' | 'severity' | 'owner' | 'openedBy' | 'openedAt'> & {
  /** The run whose findings open the action. */
  run: RunFindings;
};

export interface EvidenceInput {
  by: string;
  note: string;
  links?: string[];
}

export interface VerificationInput {
  by: string;
  outcome: VerificationOutcome;
  note: string;
}

export interface RiskAcceptanceInput {
  /** Who records the acceptance; may be the owner, who proposes it. */
  by: string;
  /** Who decided to accept the risk, as authenticated by the caller (e.g. the decider of an approval request). */
  approver: string;
  reason: string;
}

export interface Notice {
  kind: 'reminder' | 'escalation';
  /** Position in `reminderTimes` or among the escalations, from 0. */
  index: number;
  at: string;
}

const MIN_RISK_REASON = 10;

export function isTerminal(state: CorrectiveAction): boolean {
  return state.status === 'closed' || state.status === 'risk-accepted';
}

export function openAction(input: OpenInput, policy: CorrectiveActionPolicy): CorrectiveAction {
  const { id, check, rule, severity, owner, openedBy, openedAt, run } = input;
  return { id, check, rule, severity, owner, openedBy, openedAt, dueAt: dueAt(openedAt, severity, policy), status: 'open', runs: [run], evidence: [], remindersSent: 0, escalationsSent: 0 };
}

/** The deadline of an action of `severity` opened at `openedAt`. Throws a RangeError for an unusable instant or policy. */
export function dueAt(openedAt: string, severity: Severity, policy: CorrectiveActionPolicy): string {
  return iso(utc(openedAt, 'openedAt').plus(duration(policy.dueIn[severity], `dueIn.${severity}`)));
}

/**
 * The instants of the reminders, in order. A lead as long as the whole period or longer would remind at or before
 * the opening, which the notice of opening already covers: such reminders are dropped, and so are repeats of the
 * same instant (P1W and P7D).
 */
export function reminderTimes(state: CorrectiveAction, policy: CorrectiveActionPolicy): string[] {
  const due = utc(state.dueAt, 'dueAt');
  const opened = utc(state.openedAt, 'openedAt').toMillis();
  const times = policy.reminderLeads.map((lead, i) => due.minus(duration(lead, `reminderLeads[${i}]`)).toMillis()).filter((at) => at > opened);
  return [...new Set(times)].sort((a, b) => a - b).map((at) => iso(DateTime.fromMillis(at)));
}

/**
 * The first reminder or escalation not yet sent, which may already be due (`at` at or before `now`): a workflow
 * sleeps until `at`, sends it and records it with `applyNotice`, so each goes out once. A notice whose successor is
 * already due is stale and skipped — the reminders before a deadline that has passed, the escalations of a workflow
 * that was down — so an action that starts late or resumes sends the latest notice instead of a burst of old ones;
 * `applyNotice` then counts the skipped ones as sent.
 */
export function nextNotice(state: CorrectiveAction, policy: CorrectiveActionPolicy, now: string): Notice | undefined {
  if (isTerminal(state)) return undefined;
  const at = utc(now, 'now').toMillis();
  // Both computed up front, so that an unusable policy fails when the action opens, not weeks later at its deadline.
  const reminders = reminderTimes(state, policy);
  const escalations = escalationTimes(state, policy);
  return pending('reminder', reminders, state.remindersSent, state.dueAt, at) ?? pending('escalation', escalations, state.escalationsSent, undefined, at);
}

export function applyNotice(state: CorrectiveAction, notice: Notice): CorrectiveAction {
  const field = notice.kind === 'reminder' ? 'remindersSent' : 'escalationsSent';
  return { ...state, [field]: Math.max(state[field], notice.index + 1) };
}

/** Due means "by then": at the deadline itself the action is not yet overdue. */
export function isOverdue(state: CorrectiveAction, now: string): boolean {
  return !isTerminal(state) && utc(now, 'now') > utc(state.dueAt, 'dueAt');
}

/**
 * Why this evidence may not be submitted, or undefined when it may. Who may submit (the owner or a delegate) is the
 * caller's to check; independence is enforced at verification. More evidence may follow while verification is pending.
 */
export function refuseEvidence(state: CorrectiveAction, input: EvidenceInput): string | undefined {
  if (isTerminal(state)) return `corrective action is already ${state.status}`;
  if (input.note.trim().length === 0) return 'a note describing the evidence is required';
  if (input.links?.some((link) => link.trim().length === 0)) return 'links must not be blank';
  return undefined;
}

export function applyEvidence(state: CorrectiveAction, input: EvidenceInput, at: string): CorrectiveAction {
  const evidence: Evidence = { by: input.by, at, note: input.note.trim(), ...(input.links && { links: input.links.map((link) => link.trim()) }) };
  return { ...state, status: 'evidence-submitted', evidence: [...state.evidence, evidence] };
}

/**
 * Why this verification may not be recorded, or undefined when it may. The verifier must be neither the owner nor
 * anyone who submitted evidence for the action — not only the latest: a verifier judges the whole file, including the
 * earlier submissions the latest builds on.
 */
export function refuseVerification(state: CorrectiveAction, input: VerificationInput): string | undefined {
  if (isTerminal(state)) return `corrective action is already ${state.status}`;
  if (state.status !== 'evidence-submitted') return 'there is no evidence to verify';
  if (input.by === state.owner) return 'four-eyes rule: the owner cannot verify their own corrective action';
  if (state.evidence.some((e) => e.by === input.by)) return 'four-eyes rule: whoever submitted evidence cannot verify it';
  if (input.outcome === 'rejected' && input.note.trim().length === 0) return 'a reason is required to reject the evidence';
  return undefined;
}

export function applyVerification(state: CorrectiveAction, input: VerificationInput, at: string): CorrectiveAction {
  return {
    ...state,
    status: input.outcome === 'verified' ? 'closed' : 'open',
    verification: { by: input.by, at, outcome: input.outcome, note: input.note.trim() },
  };
}

export function refuseRiskAcceptance(state: CorrectiveAction, input: RiskAcceptanceInput): string | undefined {
  if (isTerminal(state)) return `corrective action is already ${state.status}`;
  if (input.approver === state.owner) return 'four-eyes rule: the owner cannot accept the risk of their own corrective action';
  if (input.reason.trim().length < MIN_RISK_REASON) return `a reason of at least ${MIN_RISK_REASON} characters is required`;
  return undefined;
}

export function applyRiskAcceptance(state: CorrectiveAction, input: RiskAcceptanceInput, at: string): CorrectiveAction {
  return { ...state, status: 'risk-accepted', riskAcceptance: { by: input.by, at, reason: input.reason.trim(), approver: input.approver } };
}

/**
 * Why a run's findings may not join this action, or undefined when they may. A resolved action takes no more
 * findings: they belong to a new one. The same run again with the same count is a retry, not a conflict.
 */
export function refuseRun(state: CorrectiveAction, run: RunFindings): string | undefined {
  if (isTerminal(state)) return `corrective action is already ${state.status}: open a new one for these findings`;
  if (!Number.isInteger(run.findingCount) || run.findingCount < 1) return 'findingCount must be a whole number of at least 1';
  const known = state.runs.find((r) => r.runId === run.runId);
  if (known && known.findingCount !== run.findingCount) return `run ${run.runId} is already recorded with ${known.findingCount} findings`;
  return undefined;
}

/** Idempotent by run id: a run already recorded returns the state unchanged. */
export function addRun(state: CorrectiveAction, run: RunFindings): CorrectiveAction {
  if (state.runs.some((r) => r.runId === run.runId)) return state;
  return { ...state, runs: [...state.runs, { runId: run.runId, findingCount: run.findingCount }] };
}

/** The escalation instants, each counted from the deadline so that month-end clamping does not drift. */
function escalationTimes(state: CorrectiveAction, policy: CorrectiveActionPolicy): string[] {
  if (!Number.isInteger(policy.maxEscalations) || policy.maxEscalations < 0) throw new RangeError(`policy maxEscalations ${policy.maxEscalations} is not a whole number`);
  const due = utc(state.dueAt, 'dueAt');
  const every = duration(policy.escalateEvery, 'escalateEvery');
  return Array.from({ length: policy.maxEscalations }, (_, k) => iso(due.plus(every.mapUnits((x) => x * k))));
}

function pending(kind: Notice['kind'], times: string[], sent: number, end: string | undefined, now: number): Notice | undefined {
  for (let index = sent; index < times.length; index += 1) {
    const following = index + 1 < times.length ? times[index + 1] : end;
    if (following === undefined || Date.parse(following) > now) return { kind, index, at: times[index] };
  }
  return undefined;
}

function utc(value: string, field: string): DateTime {
  const at = DateTime.fromISO(value, { zone: 'utc' });
  if (!at.isValid) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return at;
}

function duration(value: string, field: string): Duration {
  if (!isDuration(value)) throw new RangeError(`policy ${field} "${value}" is not a positive ISO 8601 duration`);
  return Duration.fromISO(value);
}

function iso(value: DateTime): string {
  return value.toUTC().toISO() as string;
}
