/**
 * Access recertification: every account with access — an API principal, or an account imported from another system —
 * goes before someone who answers for it, who keeps or revokes it by the campaign's due date. Pure state and rules in
 * the style of approval.ts and corrective.ts: refuse* says why a step may not be taken, apply* takes it and trusts that
 * check was made; a workflow sends the notices one at a time with nextNotice and applyNotice.
 *
 * Instants are ISO 8601 strings with an offset; durations are ISO 8601 (`P7D`, `PT10S` for tests), added in UTC. An
 * unreadable instant or duration from the caller or the policy throws a RangeError; one typed by a reviewer is refused.
 */
import { DateTime, Duration } from 'luxon';
import { inspectApiKey } from '../audit/access';
import { isDuration } from '../consent-policy';
import type { Role } from '../roles';
import { isInstant } from '../vendor/dates';

export interface ReviewItemFacts {
  /** e.g. `${campaignId}:${principalId}`: opaque, never PII. */
  itemId: string;
  kind: 'principal' | 'external-account';
  principalId?: string;
  /** The system an external account lives in, and its id there. */
  system?: string;
  accountId?: string;
  /** API roles for principals; the other system's entitlement names for external accounts. */
  entitlements: string[];
  principalKind?: 'person' | 'system';
  /** The person accountable for the account: system principals, external accounts, time-boxed external people. */
  ownerId?: string;
  /** From the staff directory, of the person the account belongs to; 'unknown': the directory has no match. */
  staffStatus?: 'joiner' | 'active' | 'leaver' | 'unknown';
  /** The owner's status in the staff directory. Required with `ownerId`: left out, the owner counts as not found. */
  ownerStatus?: ReviewItemFacts['staffStatus'];
  managerPrincipalId?: string;
  /** What the person's job roles imply, resolved by the caller; undefined when no mapping is known. */
  expectedEntitlements?: string[];
  /** The latest use of any of the account's credentials. */
  lastUsedAt?: string;
  createdAt: string;
}

export const FLAGS = ['dormant', 'privileged', 'orphaned', 'role-mismatch', 'leaver'] as const;
export type Flag = (typeof FLAGS)[number];

export interface FlagOptions {
  dormantAfterDays: number;
  /** Entitlement names that count as privileged, for principals and external accounts alike; default ['admin']. */
  privileged?: readonly string[];
}

const DEFAULT_PRIVILEGED: readonly Role[] = ['admin'];

/** The flags that draw a reviewer's attention to an item, in the order of FLAGS, each with the reason it applies. */
export function flagsFor(item: ReviewItemFacts, now: string, options: FlagOptions): { flag: Flag; reason: string }[] {
  const found: { flag: Flag; reason: string }[] = [];
  const days = options.dormantAfterDays;
  if (isDormant(item, now, days)) {
    found.push({ flag: 'dormant', reason: item.lastUsedAt === undefined ? `never used, and created more than ${days} days ago` : `unused for more than ${days} days` });
  }
  const privileged = distinct(item.entitlements.filter((e) => (options.privileged ?? DEFAULT_PRIVILEGED).includes(e)));
  if (privileged.length > 0) found.push({ flag: 'privileged', reason: `holds privileged entitlements: ${privileged.join(', ')}` });
  const orphaned = missingOwner(item);
  if (orphaned !== undefined) found.push({ flag: 'orphaned', reason: orphaned });
  if (item.expectedEntitlements !== undefined) {
    const expected = item.expectedEntitlements;
    const extra = distinct(item.entitlements.filter((e) => !expected.includes(e)));
    if (extra.length > 0) found.push({ flag: 'role-mismatch', reason: `entitlements beyond what the job roles imply: ${extra.join(', ')}` });
  }
  if (item.staffStatus === 'leaver') found.push({ flag: 'leaver', reason: 'the person has left, yet the account still has access' });
  return found;
}

/**
 * The access check's key-unused rule, applied to the latest use of any of the item's credentials, so that a campaign
 * and an audit never disagree on what "unused for N days" means: more than N × 24 hours since the last use, or since
 * creation when never used. It also validates the instants and N (a positive whole number) the same way.
 */
function isDormant(item: ReviewItemFacts, now: string, days: number): boolean {
  const asKey = { keyId: item.itemId, principalId: item.principalId ?? item.itemId, createdAt: item.createdAt, lastUsedAt: item.lastUsedAt };
  return inspectApiKey(asKey, 'active', now, days).some((f) => f.rule === 'key-unused');
}

const isPersonsAccess = (item: ReviewItemFacts): boolean => item.kind === 'principal' && item.principalKind === 'person';

/**
 * Why nobody is known to answer for the item, or undefined when someone is. A person's own principal needs no owner
 * (their manager reviews it), but when one is named — an external auditor's sponsor — it must still be in place.
 */
function missingOwner(item: ReviewItemFacts): string | undefined {
  if (item.ownerId === undefined) return isPersonsAccess(item) ? undefined : 'no owner is recorded';
  if (item.ownerStatus === 'leaver') return `owner ${item.ownerId} has left`;
  if (item.ownerStatus !== 'joiner' && item.ownerStatus !== 'active') return `owner ${item.ownerId} is not found in the staff directory`;
  return undefined;
}

/**
 * Who reviews the item: a person's principal goes to their manager, or failing one to their owner; system principals
 * and external accounts go to their owner. Undefined when there is no one — an owner who is gone, or the holder of the
 * access themselves, does not count — and the campaign then assigns its fallback reviewer.
 */
export function reviewerFor(item: ReviewItemFacts): { reviewer: string; basis: 'owner' | 'manager' } | undefined {
  const manager = item.managerPrincipalId;
  if (isPersonsAccess(item) && manager !== undefined && manager !== item.principalId) return { reviewer: manager, basis: 'manager' };
  if (item.ownerId !== undefined && item.ownerId !== item.principalId && missingOwner(item) === undefined) return { reviewer: item.ownerId, basis: 'owner' };
  return undefined;
}

export const DECISIONS = ['keep', 'revoke', 'defer', 'escalate'] as const;
export type Decision = (typeof DECISIONS)[number];
export type Outcome = 'keep' | 'revoke';

/** Still waiting for a decision that takes effect. */
type OpenStatus = 'pending' | 'escalated' | 'awaiting-second-review';
export type ReviewStatus = OpenStatus | 'decided' | 'auto-revoked' | 'flagged-unreviewed';

export interface DecisionRecord {
  by: string;
  decision: Decision;
  reason?: string;
  at: string;
  deferUntil?: string;
  /** Taken by the holder of the access: it needs a second review to take effect. */
  selfReview?: true;
}

export interface ReviewItemState {
  itemId: string;
  reviewer: string;
  status: ReviewStatus;
  openedAt: string;
  /** The campaign's due date when the item opened; deferrals and notices count to it. */
  dueAt: string;
  decisions: DecisionRecord[];
  /** Reminders are held back until then. */
  deferredUntil?: string;
  /** How many reminders and escalations are behind us, sent or skipped (see nextNotice). */
  remindersSent: number;
  escalationsSent: number;
  /** Set once a decision takes effect, or by auto-revocation. */
  outcome?: Outcome;
}

export interface DecisionInput {
  by: string;
  /**
   * Whether `by` may decide the item in its current status, as the caller establishes it: the assigned reviewer while
   * pending, the escalation reviewer once escalated, a second reviewer while one is awaited.
   */
  byIsReviewer: boolean;
  decision: Decision;
  reason?: string;
  /** The principal whose access this is, so that a decision on one's own access is caught. */
  subjectPrincipalId?: string;
  deferUntil?: string;
}

export interface RecertPolicy {
  /** Copied into each item as it opens: the item's copy is the one that counts afterwards. */
  dueAt: string;
  /** How long before the due date each reminder goes out. */
  reminderLeads: string[];
  /** How long after the due date an item still open is escalated. */
  escalateAfterDue: string;
  /** What becomes of an item still without an effective decision at the final notice. */
  onNoDecision: 'auto-revoke' | 'flag';
  /** How long after the escalation the final notice goes out. */
  finalAfterEscalation: string;
}

export type Notice =
  | { kind: 'reminder' | 'escalation'; index: number; at: string }
  | { kind: 'final'; index: 0; at: string; onNoDecision: RecertPolicy['onNoDecision'] };

const OPEN_STATUSES: readonly ReviewStatus[] = ['pending', 'escalated', 'awaiting-second-review'];
const isOpen = (state: ReviewItemState): state is ReviewItemState & { status: OpenStatus } => OPEN_STATUSES.includes(state.status);

const NOT_REVIEWER: Record<OpenStatus, string> = {
  pending: 'only the assigned reviewer may decide this item',
  escalated: 'only the escalation reviewer may decide this item once it is escalated',
  'awaiting-second-review': 'only a second reviewer may decide this item',
};

/**
 * Opens an item for `reviewer` (reviewerFor's, or the campaign's fallback). Throws a RangeError for an unusable policy
 * now rather than weeks later, when its first notice is computed.
 */
export function openReviewItem(input: { itemId: string; reviewer: string; openedAt: string }, policy: RecertPolicy): ReviewItemState {
  const state: ReviewItemState = { itemId: input.itemId, reviewer: input.reviewer, status: 'pending', openedAt: input.openedAt, dueAt: policy.dueAt, decisions: [], remindersSent: 0, escalationsSent: 0 };
  noticeTimes(state, policy);
  return state;
}

/**
 * Why this decision may not be taken, or undefined when it may. A reason is required for anything but keeping, and for
 * any decision on one's own access, which then waits for a second reviewer: whoever took it cannot give that review.
 */
export function refuseDecision(state: ReviewItemState, input: DecisionInput, now: string): string | undefined {
  const nowMs = instantMs(now, 'now');
  if (!(DECISIONS as readonly string[]).includes(input.decision)) return `unknown decision "${input.decision}"`;
  if (!isOpen(state)) return `review item is already ${state.status}`;
  if (!input.byIsReviewer) return NOT_REVIEWER[state.status];
  if (state.status === 'awaiting-second-review' && (input.by === input.subjectPrincipalId || state.decisions.some((d) => d.selfReview && d.by === input.by))) {
    return 'four-eyes rule: the second review must be by someone other than the holder of the access';
  }
  if (input.decision === 'escalate' && state.status === 'escalated') return 'review item is already escalated';
  const hasReason = (input.reason ?? '').trim().length > 0;
  if (!hasReason && input.by === input.subjectPrincipalId) return 'a reason is required for a decision on your own access';
  if (!hasReason && input.decision !== 'keep') return `a reason is required to ${input.decision}`;
  if (input.decision !== 'defer') return input.deferUntil === undefined ? undefined : 'deferUntil only goes with a defer decision';
  return refuseDeferral(state, input.deferUntil, nowMs);
}

function refuseDeferral(state: ReviewItemState, deferUntil: string | undefined, nowMs: number): string | undefined {
  if (deferUntil === undefined) return 'deferUntil is required to defer';
  if (!isInstant(deferUntil)) return `deferUntil "${deferUntil}" is not an ISO 8601 timestamp`;
  const dueMs = instantMs(state.dueAt, 'dueAt');
  // From the due date on, no instant is both in the future and not after it: say so rather than blame the date given.
  if (nowMs >= dueMs) return `the campaign due date ${state.dueAt} has passed: it is too late to defer`;
  const untilMs = Date.parse(deferUntil);
  if (untilMs <= nowMs) return 'deferUntil must be in the future';
  if (untilMs > dueMs) return `deferUntil must not be after the campaign due date ${state.dueAt}`;
  return undefined;
}

/**
 * Records the decision. Keep and revoke take effect at once — unless taken on one's own access, which waits for a
 * second review; that second reviewer's keep or revoke is the one that takes effect, confirming or overriding. Only a
 * deferral keeps a deferral date: any other decision ends it.
 */
export function applyDecision(state: ReviewItemState, input: DecisionInput, at: string): ReviewItemState {
  const selfReview = input.by === input.subjectPrincipalId;
  const reason = input.reason?.trim();
  const record: DecisionRecord = {
    by: input.by,
    decision: input.decision,
    ...(reason && { reason }),
    at,
    ...(input.decision === 'defer' && { deferUntil: input.deferUntil }),
    ...(selfReview && { selfReview: true as const }),
  };
  const { deferredUntil: _ended, ...rest } = state;
  const next = { ...rest, decisions: [...state.decisions, record] };
  switch (input.decision) {
    case 'defer':
      return { ...next, deferredUntil: input.deferUntil };
    case 'escalate':
      return { ...next, status: 'escalated' };
    default:
      return selfReview ? { ...next, status: 'awaiting-second-review' } : { ...next, status: 'decided', outcome: input.decision };
  }
}

/**
 * The first notice not yet sent, which may already be due (`at` at or before `now`): a workflow sleeps until `at`,
 * sends it and records it with applyNotice, so each goes out once. Reminders come before the due date, except those
 * that would interrupt a deferral; one escalation follows `escalateAfterDue` after it; the final notice follows
 * `finalAfterEscalation` after that and auto-revokes or flags the item. A notice whose successor is already due is
 * stale and skipped, so a campaign that starts or resumes late sends the latest notice instead of a burst of old ones.
 * None once an item has a decision that took effect, or reached the final notice.
 */
export function nextNotice(state: ReviewItemState, policy: RecertPolicy, now: string): Notice | undefined {
  const nowMs = instantMs(now, 'now');
  const { reminders, escalation, final } = noticeTimes(state, policy);
  if (!isOpen(state)) return undefined;
  const quietUntil = state.deferredUntil === undefined ? -Infinity : instantMs(state.deferredUntil, 'deferredUntil');
  const dueMs = Date.parse(state.dueAt);
  for (let index = state.remindersSent; index < reminders.length; index += 1) {
    const following = reminders[index + 1] ?? dueMs;
    if (reminders[index] >= quietUntil && following > nowMs) return { kind: 'reminder', index, at: iso(reminders[index]) };
  }
  if (state.escalationsSent === 0 && final > nowMs) return { kind: 'escalation', index: 0, at: iso(escalation) };
  return { kind: 'final', index: 0, at: iso(final), onNoDecision: policy.onNoDecision };
}

/**
 * Records a notice as sent, and the skipped ones before it. An escalation hands a pending item to the escalation
 * reviewer. A notice that raced a decision which took effect changes nothing: the reviewer's decision stands.
 */
export function applyNotice(state: ReviewItemState, notice: Notice): ReviewItemState {
  if (!isOpen(state)) return state;
  switch (notice.kind) {
    case 'reminder':
      return { ...state, remindersSent: Math.max(state.remindersSent, notice.index + 1) };
    case 'escalation':
      return { ...state, escalationsSent: Math.max(state.escalationsSent, notice.index + 1), status: state.status === 'pending' ? 'escalated' : state.status };
    case 'final':
      return notice.onNoDecision === 'auto-revoke' ? { ...state, status: 'auto-revoked', outcome: 'revoke' } : { ...state, status: 'flagged-unreviewed' };
  }
}

export interface CampaignReport {
  items: number;
  /** Decided by a reviewer: kept + revoked. */
  decided: number;
  kept: number;
  revoked: number;
  autoRevoked: number;
  flaggedUnreviewed: number;
  /** Still open: pending, escalated, or awaiting a second review. */
  pending: number;
  /** Items carrying each flag. */
  byFlag: Record<Flag, number>;
  /** Items whose holder took a decision on their own access. */
  selfReviews: number;
}

export function campaignReport(items: Iterable<{ state: ReviewItemState; flags: readonly Flag[] }>): CampaignReport {
  const report: CampaignReport = {
    items: 0,
    decided: 0,
    kept: 0,
    revoked: 0,
    autoRevoked: 0,
    flaggedUnreviewed: 0,
    pending: 0,
    byFlag: Object.fromEntries(FLAGS.map((flag) => [flag, 0])) as Record<Flag, number>,
    selfReviews: 0,
  };
  for (const { state, flags } of items) {
    report.items += 1;
    if (state.status === 'decided') {
      report.decided += 1;
      report[state.outcome === 'keep' ? 'kept' : 'revoked'] += 1;
    } else if (state.status === 'auto-revoked') report.autoRevoked += 1;
    else if (state.status === 'flagged-unreviewed') report.flaggedUnreviewed += 1;
    else report.pending += 1;
    for (const flag of new Set(flags)) report.byFlag[flag] += 1;
    if (state.decisions.some((d) => d.selfReview)) report.selfReviews += 1;
  }
  return report;
}

/** The notice instants in milliseconds. Reminders at or before the opening are dropped: the opening notice covers them. */
function noticeTimes(state: Pick<ReviewItemState, 'openedAt' | 'dueAt'>, policy: RecertPolicy): { reminders: number[]; escalation: number; final: number } {
  if (policy.onNoDecision !== 'auto-revoke' && policy.onNoDecision !== 'flag') throw new RangeError(`policy onNoDecision "${policy.onNoDecision}" is neither auto-revoke nor flag`);
  const opened = instantMs(state.openedAt, 'openedAt');
  const due = DateTime.fromMillis(instantMs(state.dueAt, 'dueAt'), { zone: 'utc' });
  const times = policy.reminderLeads.map((lead, i) => due.minus(duration(lead, `reminderLeads[${i}]`)).toMillis()).filter((at) => at > opened);
  const escalation = due.plus(duration(policy.escalateAfterDue, 'escalateAfterDue'));
  const final = escalation.plus(duration(policy.finalAfterEscalation, 'finalAfterEscalation'));
  return { reminders: [...new Set(times)].sort((a, b) => a - b), escalation: escalation.toMillis(), final: final.toMillis() };
}

function instantMs(value: string, field: string): number {
  if (!isInstant(value)) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return Date.parse(value);
}

function duration(value: string, field: string): Duration {
  if (!isDuration(value)) throw new RangeError(`policy ${field} "${value}" is not a positive ISO 8601 duration`);
  return Duration.fromISO(value);
}

const iso = (ms: number): string => new Date(ms).toISOString();

const distinct = (values: string[]): string[] => [...new Set(values)];

/**
 * What a person's job roles entitle them to under a mapping of job role to entitlements, or undefined when none of
 * their job roles is mapped (then nothing is known to compare with, and `role-mismatch` is not judged).
 */
export function expectedRoles(jobRoles: readonly string[], mapping: Readonly<Record<string, readonly string[]>> | undefined): string[] | undefined {
  const mapped = jobRoles.filter((role) => mapping?.[role] !== undefined);
  return mapped.length === 0 ? undefined : [...new Set(mapped.flatMap((role) => mapping![role]))].sort();
}
