/**
 * Training campaigns: a module (content to read or watch, and perhaps a quiz) assigned to an audience of staff, each
 * assignment due some time after it is made, with reminders before the due date and one escalation to the manager
 * after it. Pure state and rules in the style of approval.ts and audit/corrective.ts: refuse* says why a step may
 * not be taken, apply* takes it and trusts that check was made.
 *
 * Instants are ISO 8601 with an offset; durations ISO 8601, added in UTC, so a daylight-saving change in the
 * assignee's zone never moves a deadline by an hour. Calendar months clamp to the month's last day: 31 January plus a
 * month is the last day of February.
 */
import { DateTime, Duration } from 'luxon';
import { isDuration } from '../consent-policy';
import { receivesAssignments, type StaffMember } from '../staff';
import type { SubjectProblem, Validated } from '../subject';
import { isInstant } from '../vendor/dates';

export interface QuizQuestion {
  id: string;
  text: string;
  options: string[];
  /** Indexes into `options`; with more than one, all of them (and nothing else) must be chosen. */
  correct: number[];
}

export interface TrainingModule {
  moduleId: string;
  title: string;
  /** Recorded on each assignment, so a completion says which version of the content the person saw. */
  version: string;
  content: { url?: string; text?: string };
  /** `passMark`: the fraction of questions that must be right, in (0, 1]. */
  quiz?: { questions: QuizQuestion[]; passMark: number };
}

/**
 * A scored quiz. `problems` lists answers that cannot be scored — a question the module does not have, an index that
 * is not an option, an index chosen twice — so the API can answer 400 instead of recording an attempt the person
 * never meant to make; such answers count as wrong and a result with problems never passes.
 */
export interface QuizResult {
  /** Fraction of questions right, rounded to 4 decimals for display; `passed` compares the exact fraction. */
  score: number;
  correct: number;
  total: number;
  passed: boolean;
  unanswered: string[];
  problems: SubjectProblem[];
}

/** Who a campaign is for. Both lists empty or omitted: everyone; otherwise anyone in a listed department OR with a listed job role. */
export interface Audience {
  departments?: string[];
  jobRoles?: string[];
}

export interface ReminderPolicy {
  /** How many reminders at most, 0 to MAX_REMINDERS; those that would fall at or after the due date are dropped. */
  count: number;
  /** ISO 8601 duration between reminders. */
  spacing: string;
  /** From the assignment to the first reminder; default `spacing`. */
  firstAfter?: string;
  /** From the due date to the manager's escalation; default PT0S, the due date itself. */
  escalateAfterDue?: string;
}

export type AssignmentStatus = 'assigned' | 'completed' | 'withdrawn';
export type AttemptVia = 'attestation' | 'lms';

export interface Attempt {
  at: string;
  score?: number;
  passed?: boolean;
  via: AttemptVia;
}

export interface Assignment {
  assignmentId: string;
  campaignId: string;
  staffId: string;
  moduleId: string;
  moduleVersion: string;
  assignedAt: string;
  dueAt: string;
  status: AssignmentStatus;
  /** How many reminders are behind us, sent or skipped as stale (see `nextNotice`). */
  remindersSent: number;
  escalated: boolean;
  attempts: Attempt[];
  completedAt?: string;
  completion?: { via: AttemptVia; at: string; score?: number };
  withdrawal?: { reason: 'leaver'; at: string };
}

export interface AssignInput {
  assignmentId: string;
  campaignId: string;
  staffId: string;
  module: Pick<TrainingModule, 'moduleId' | 'version'>;
  assignedAt: string;
  /** ISO 8601 duration from the assignment to its due date: a joiner assigned late gets as long as everyone else. */
  dueIn: string;
}

export interface Notice {
  kind: 'reminder' | 'escalation';
  /** Position among the reminders, from 0; always 0 for the one escalation. */
  index: number;
  at: string;
}

export interface CompletionInput {
  via: AttemptVia;
  /** Principal id of whoever records the completion: the assignee attesting, or the LMS integration. */
  by: string;
  /** The principal the assignee signs in as, if they have one. */
  staffPrincipalId?: string;
  quizResult?: QuizResult;
  moduleHasQuiz: boolean;
}

export interface DepartmentCompletion {
  department: string;
  total: number;
  completed: number;
  overdue: number;
  withdrawn: number;
  /** Completed among those not withdrawn, rounded to 4 decimals; null when everyone was withdrawn. */
  completionRate: number | null;
}

export interface CompletionReport {
  total: number;
  completed: number;
  overdue: number;
  withdrawn: number;
  /** By department name. */
  byDepartment: DepartmentCompletion[];
  /** Earliest due first. */
  overdueList: { assignmentId: string; staffId: string; department: string; dueAt: string }[];
}

export const MAX_REMINDERS = 10;
const ID = /^[A-Za-z0-9_:.-]{1,128}$/;
const ID_RULE = 'must be 1 to 128 letters, digits or _ : . -';
const MAX_TITLE = 200;
const MAX_VERSION = 64;

/**
 * Why `input` is not a usable module, by field path (`quiz.questions[2].correct`), or the module with its texts
 * trimmed. Types are the API schema's to check; this checks what a schema cannot.
 */
export function validateModule(input: TrainingModule, path = ''): Validated<TrainingModule> {
  const problems: SubjectProblem[] = [];
  const report = (field: string, message: string): void => void problems.push({ field: `${path}${field}`, message });
  const moduleId = input.moduleId.trim();
  if (!ID.test(moduleId)) report('moduleId', ID_RULE);
  const title = input.title.trim();
  if (title.length === 0 || title.length > MAX_TITLE) report('title', `must be 1 to ${MAX_TITLE} characters`);
  const version = input.version.trim();
  if (version.length === 0 || version.length > MAX_VERSION) report('version', `must be 1 to ${MAX_VERSION} characters`);
  const url = input.content.url?.trim() || undefined;
  const text = input.content.text?.trim() || undefined;
  if (url === undefined && text === undefined) report('content', 'needs a url or a text');
  if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) report('content.url', 'must be an http(s) URL');
  const quiz = input.quiz && { passMark: input.quiz.passMark, questions: input.quiz.questions.map((q) => ({ ...q, id: q.id.trim(), text: q.text.trim(), options: q.options.map((o) => o.trim()) })) };
  if (quiz) {
    if (!(quiz.passMark > 0 && quiz.passMark <= 1)) report('quiz.passMark', 'must be a fraction above 0 and at most 1');
    if (quiz.questions.length === 0) report('quiz.questions', 'must have at least one question');
    quiz.questions.forEach((q, i) => questionProblems(q, quiz.questions.slice(0, i), `quiz.questions[${i}].`, report));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { moduleId, title, version, content: { ...(url && { url }), ...(text && { text }) }, ...(quiz && { quiz }) } };
}

function questionProblems(q: QuizQuestion, earlier: QuizQuestion[], at: string, report: (field: string, message: string) => void): void {
  if (!ID.test(q.id)) report(`${at}id`, ID_RULE);
  else if (earlier.some((e) => e.id === q.id)) report(`${at}id`, `repeats question id ${q.id}`);
  if (q.text.length === 0) report(`${at}text`, 'is required');
  if (q.options.length < 2) report(`${at}options`, 'must offer at least two options');
  q.options.forEach((o, j) => {
    if (o.length === 0) report(`${at}options[${j}]`, 'must not be blank');
  });
  if (q.correct.length === 0) report(`${at}correct`, 'must name at least one correct option');
  q.correct.forEach((index, j) => {
    const problem = indexProblem(q, index, q.correct.slice(0, j));
    if (problem) report(`${at}correct`, problem);
  });
}

/** Why `index` cannot be one of the correct (or chosen) options of `q`, given those listed before it. */
function indexProblem(q: QuizQuestion, index: number, before: number[]): string | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= q.options.length) return `${index} is not an option (0 to ${q.options.length - 1})`;
  if (before.includes(index)) return `${index} is listed twice`;
  return undefined;
}

/**
 * Scores `answers` (question id to the chosen option indexes) against the module's quiz. A question counts only when
 * exactly its correct set is chosen: a partial or an extra choice is wrong, so ticking every box earns nothing unless
 * every option is right. An empty choice is unanswered. Throws a RangeError for a module without a quiz — a caller's mistake, not the person's.
 */
export function scoreQuiz(module: TrainingModule, answers: Record<string, number[]>): QuizResult {
  if (!module.quiz) throw new RangeError(`module ${module.moduleId} has no quiz`);
  const { questions, passMark } = module.quiz;
  const problems: SubjectProblem[] = [];
  for (const id of Object.keys(answers)) if (!questions.some((q) => q.id === id)) problems.push({ field: `answers.${id}`, message: 'is not a question of this module' });
  const unanswered: string[] = [];
  let correct = 0;
  for (const q of questions) {
    // Own properties only: a question with the id "constructor" must not find Object.prototype's.
    const chosen = Object.hasOwn(answers, q.id) ? answers[q.id] : [];
    if (chosen.length === 0) {
      unanswered.push(q.id);
      continue;
    }
    const wrong = chosen.map((index, j) => indexProblem(q, index, chosen.slice(0, j))).filter((p) => p !== undefined);
    for (const message of wrong) problems.push({ field: `answers.${q.id}`, message });
    if (wrong.length === 0 && chosen.length === q.correct.length && chosen.every((index) => q.correct.includes(index))) correct += 1;
  }
  const fraction = correct / questions.length;
  return { score: round(fraction), correct, total: questions.length, passed: problems.length === 0 && fraction >= passMark, unanswered, problems };
}

/** Requires `receivesAssignments` too: leavers are in no audience. */
export function inAudience(member: Pick<StaffMember, 'department' | 'jobRoles' | 'status' | 'endDate'>, audience: Audience, on: string): boolean {
  if (!receivesAssignments(member, on)) return false;
  const departments = audience.departments ?? [];
  const jobRoles = audience.jobRoles ?? [];
  if (departments.length === 0 && jobRoles.length === 0) return true;
  return departments.includes(member.department) || member.jobRoles.some((role) => jobRoles.includes(role));
}

/** Why the policy is unusable, by field, or an empty list. */
export function reminderPolicyProblems(policy: ReminderPolicy, path = ''): SubjectProblem[] {
  const problems: SubjectProblem[] = [];
  if (!Number.isInteger(policy.count) || policy.count < 0 || policy.count > MAX_REMINDERS) problems.push({ field: `${path}count`, message: `must be a whole number from 0 to ${MAX_REMINDERS}` });
  if (!isDuration(policy.spacing)) problems.push({ field: `${path}spacing`, message: 'must be a positive ISO 8601 duration (P7D, P1M)' });
  if (policy.firstAfter !== undefined && !isDuration(policy.firstAfter)) problems.push({ field: `${path}firstAfter`, message: 'must be a positive ISO 8601 duration' });
  if (policy.escalateAfterDue !== undefined && !isDelay(policy.escalateAfterDue)) problems.push({ field: `${path}escalateAfterDue`, message: 'must be an ISO 8601 duration of zero (PT0S) or more' });
  return problems;
}

/** A new assignment, due `dueIn` after `assignedAt`. Throws a RangeError for an unusable instant or duration. */
export function assign(input: AssignInput): Assignment {
  const assignedAt = utc(input.assignedAt, 'assignedAt');
  if (!isDuration(input.dueIn)) throw new RangeError(`dueIn "${input.dueIn}" is not a positive ISO 8601 duration`);
  return {
    assignmentId: input.assignmentId,
    campaignId: input.campaignId,
    staffId: input.staffId,
    moduleId: input.module.moduleId,
    moduleVersion: input.module.version,
    assignedAt: iso(assignedAt),
    dueAt: iso(assignedAt.plus(Duration.fromISO(input.dueIn))),
    status: 'assigned',
    remindersSent: 0,
    escalated: false,
    attempts: [],
  };
}

/**
 * The reminder instants, in order: `firstAfter` after the assignment, then every `spacing`, each counted from the
 * assignment so that month-end clamping does not drift. Only those before the due date: after it a reminder would
 * repeat what the escalation says to the manager.
 */
export function reminderTimes(a: Assignment, policy: ReminderPolicy): string[] {
  const problem = reminderPolicyProblems(policy)[0];
  if (problem) throw new RangeError(`reminder policy ${problem.field} ${problem.message}`);
  const assigned = utc(a.assignedAt, 'assignedAt');
  const due = utc(a.dueAt, 'dueAt');
  const spacing = Duration.fromISO(policy.spacing);
  const first = Duration.fromISO(policy.firstAfter ?? policy.spacing);
  const times: string[] = [];
  for (let k = 0; k < policy.count; k += 1) {
    const at = assigned.plus(first.plus(spacing.mapUnits((x) => x * k)));
    if (at >= due) break;
    times.push(iso(at));
  }
  return times;
}

/**
 * The first reminder or the escalation not yet sent, which may already be due (`at` at or before `now`): a workflow
 * sleeps until `at`, sends it and records it with `applyNotice`, so each goes out once. As in audit/corrective.ts, a
 * reminder whose successor is already due is stale and skipped — the last reminder's successor being the due date —
 * so an assignment that resumes late sends the latest notice instead of a burst of old ones. The escalation is never
 * stale: it is the last word. Nothing once the assignment is completed or withdrawn.
 */
export function nextNotice(a: Assignment, policy: ReminderPolicy, now: string): Notice | undefined {
  if (a.status !== 'assigned') return undefined;
  const at = utc(now, 'now').toMillis();
  const reminders = reminderTimes(a, policy);
  for (let index = a.remindersSent; index < reminders.length; index += 1) {
    const following = index + 1 < reminders.length ? reminders[index + 1] : a.dueAt;
    if (Date.parse(following) > at) return { kind: 'reminder', index, at: reminders[index] };
  }
  if (a.escalated) return undefined;
  return { kind: 'escalation', index: 0, at: iso(utc(a.dueAt, 'dueAt').plus(Duration.fromISO(policy.escalateAfterDue ?? 'PT0S'))) };
}

/** Records `notice` as sent, and any reminders skipped before it as stale. */
export function applyNotice(a: Assignment, notice: Notice): Assignment {
  if (notice.kind === 'escalation') return { ...a, escalated: true };
  return { ...a, remindersSent: Math.max(a.remindersSent, notice.index + 1) };
}

/**
 * Why this attempt may not be recorded at all, or undefined when it may (it may still fail the quiz). Attestation
 * is the assignee's own word, so only their principal may give it; who may report from the LMS is the API's to check
 * by role. A module with a quiz needs a result without problems; one without a quiz takes none.
 */
export function refuseAttempt(a: Assignment, input: CompletionInput): string | undefined {
  if (a.status !== 'assigned') return `assignment is already ${a.status}`;
  if (input.via === 'attestation' && input.staffPrincipalId === undefined) return 'the assignee has no sign-in principal to attest with';
  if (input.via === 'attestation' && input.by !== input.staffPrincipalId) return 'only the assignee can attest their own training';
  if (!input.moduleHasQuiz) return input.quizResult ? 'this module has no quiz' : undefined;
  if (!input.quizResult) return 'this module has a quiz: a quiz result is required';
  if (input.quizResult.problems.length > 0) return `the quiz answers cannot be scored: ${input.quizResult.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;
  return undefined;
}

/** Why this attempt does not complete the assignment, or undefined when it does. A failed quiz goes to `applyFailedAttempt`. */
export function refuseCompletion(a: Assignment, input: CompletionInput): string | undefined {
  const refused = refuseAttempt(a, input);
  if (refused) return refused;
  if (input.quizResult && !input.quizResult.passed) return `the quiz was not passed (score ${input.quizResult.score})`;
  return undefined;
}

export function applyCompletion(a: Assignment, input: CompletionInput, at: string): Assignment {
  const result = input.quizResult && { score: input.quizResult.score, passed: input.quizResult.passed };
  return {
    ...a,
    status: 'completed',
    attempts: [...a.attempts, { at, ...result, via: input.via }],
    completedAt: at,
    completion: { via: input.via, at, ...(result && { score: result.score }) },
  };
}

/** A failed quiz is evidence of trying, kept with the assignment, which stays open. */
export function applyFailedAttempt(a: Assignment, quizResult: QuizResult, via: AttemptVia, at: string): Assignment {
  return { ...a, attempts: [...a.attempts, { at, score: quizResult.score, passed: quizResult.passed, via }] };
}

/**
 * Withdraws an open assignment, for someone who left. A completed one stays completed — the training was done — and
 * withdrawing again changes nothing, so a retried leaver event is harmless.
 */
export function withdraw(a: Assignment, reason: 'leaver', at: string): Assignment {
  if (a.status !== 'assigned') return a;
  return { ...a, status: 'withdrawn', withdrawal: { reason, at } };
}

/** Due means "by then": at the due instant itself the assignment is not yet overdue. */
export function isOverdue(a: Assignment, now: string): boolean {
  return a.status === 'assigned' && utc(now, 'now') > utc(a.dueAt, 'dueAt');
}

export function completionReport(rows: Iterable<{ assignment: Assignment; department: string }>, now: string): CompletionReport {
  const departments = new Map<string, Omit<DepartmentCompletion, 'completionRate'>>();
  const overdueList: CompletionReport['overdueList'] = [];
  for (const { assignment, department } of rows) {
    const counts = departments.get(department) ?? { department, total: 0, completed: 0, overdue: 0, withdrawn: 0 };
    counts.total += 1;
    if (assignment.status === 'completed') counts.completed += 1;
    if (assignment.status === 'withdrawn') counts.withdrawn += 1;
    if (isOverdue(assignment, now)) {
      counts.overdue += 1;
      overdueList.push({ assignmentId: assignment.assignmentId, staffId: assignment.staffId, department, dueAt: assignment.dueAt });
    }
    departments.set(department, counts);
  }
  const byDepartment = [...departments.values()]
    .sort((x, y) => (x.department < y.department ? -1 : 1))
    .map((d) => ({ ...d, completionRate: d.total === d.withdrawn ? null : round(d.completed / (d.total - d.withdrawn)) }));
  const sum = (key: 'total' | 'completed' | 'overdue' | 'withdrawn'): number => byDepartment.reduce((n, d) => n + d[key], 0);
  overdueList.sort((x, y) => Date.parse(x.dueAt) - Date.parse(y.dueAt) || (x.assignmentId < y.assignmentId ? -1 : 1));
  return { total: sum('total'), completed: sum('completed'), overdue: sum('overdue'), withdrawn: sum('withdrawn'), byDepartment, overdueList };
}

/**
 * When cycle `cycle + 1` of a recurring campaign starts, cycle 0 having started at `startedAt`; undefined for a
 * campaign that does not recur. Counted from the original start, not from the previous cycle: chained, 29 February
 * plus a year would become 28 February for good, and 31 January plus a month the 28th of every later month.
 * Throws a RangeError for an unusable instant, duration or cycle.
 */
export function nextOccurrence(startedAt: string, recurrence: string | undefined, cycle: number): string | undefined {
  if (recurrence === undefined) return undefined;
  if (!isDuration(recurrence)) throw new RangeError(`recurrence "${recurrence}" is not a positive ISO 8601 duration`);
  if (!Number.isInteger(cycle) || cycle < 0) throw new RangeError(`cycle ${cycle} is not a whole number from 0`);
  return iso(utc(startedAt, 'startedAt').plus(Duration.fromISO(recurrence).mapUnits((x) => x * (cycle + 1))));
}

/** A non-negative ISO 8601 duration: zero is allowed where "at once" makes sense. */
function isDelay(value: string): boolean {
  const duration = Duration.fromISO(value);
  return duration.isValid && Object.values(duration.toObject()).every((n) => n >= 0);
}

function round(fraction: number): number {
  return Math.round(fraction * 10000) / 10000;
}

function utc(value: string, field: string): DateTime {
  if (!isInstant(value)) throw new RangeError(`${field} "${value}" is not an ISO 8601 instant with an offset`);
  return DateTime.fromISO(value, { zone: 'utc' });
}

function iso(value: DateTime): string {
  return value.toUTC().toISO() as string;
}
