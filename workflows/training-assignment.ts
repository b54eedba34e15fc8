import { allHandlersFinished, condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { Duration } from 'luxon';
import type { Activities } from '../activities';
import {
  applyCompletion,
  applyFailedAttempt,
  applyNotice,
  nextNotice,
  refuseAttempt,
  scoreQuiz,
  withdraw,
  type Assignment,
  type AttemptVia,
  type CompletionInput,
  type QuizResult,
  type ReminderPolicy,
  type TrainingModule,
} from '../domain/campaign/training';
import { recordEvidence } from './activities';

// The whole message surface of one person's training assignment.
/**
 * An update, not a signal: the person learns at once whether the attempt counted — a failed quiz is recorded as an
 * attempt and answered as such, an attestation by someone else is refused with the reason.
 */
export const completeAssignmentUpdate = defineUpdate<AttemptOutcome, [AttemptRequest]>('complete');
/** From the directory when the person leaves: the assignment is withdrawn, no more reminders go out. */
export const withdrawAssignmentSignal = defineSignal<[{ reason: 'leaver' }]>('withdraw');
export const assignmentQuery = defineQuery<Assignment>('assignment');

export interface AssignmentInput {
  assignment: Assignment;
  module: TrainingModule;
  campaignTitle: string;
  reminders: ReminderPolicy;
  closeAfterDue: string;
  notifications: 'email' | 'none';
}

/** What the API passes: quiz answers from the person, or the LMS's own result. */
export interface AttemptRequest {
  via: AttemptVia;
  by: string;
  staffPrincipalId?: string;
  answers?: Record<string, number[]>;
  lmsResult?: { score: number; passed: boolean };
}

export interface AttemptOutcome {
  status: Assignment['status'];
  counted: 'completed' | 'failed-attempt';
  score?: number;
  passed?: boolean;
}

const { saveAssignment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
// An e-mail in flight when a worker dies is retried after this timeout: short, so a reminder is not held up long.
const { notifyAssignment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/** The attempt as the domain rules see it: quiz answers scored here, from the module the assignment was made with. */
function completionInput(module: TrainingModule, request: AttemptRequest): CompletionInput {
  const quizResult: QuizResult | undefined = request.lmsResult
    ? { score: request.lmsResult.score, passed: request.lmsResult.passed, correct: 0, total: 0, unanswered: [], problems: [] }
    : request.answers && module.quiz
      ? scoreQuiz(module, request.answers)
      : undefined;
  return { via: request.via, by: request.by, ...(request.staffPrincipalId && { staffPrincipalId: request.staffPrincipalId }), ...(quizResult && { quizResult }), moduleHasQuiz: module.quiz !== undefined };
}

/**
 * One person's assignment: e-mailed when made, reminded as the campaign's policy says, escalated to their manager
 * after the due date, until it is completed, withdrawn, or closes incomplete after `closeAfterDue`. Each person has a
 * workflow of their own, so a campaign over thousands of people keeps every history short.
 */
export async function trainingAssignmentWorkflow(input: AssignmentInput): Promise<Assignment> {
  const { workflowId } = workflowInfo();
  let assignment = input.assignment;
  let version = 0;
  let changed = false;
  let closed = false;
  const resource = { type: 'training-assignment', id: assignment.assignmentId };
  const record = (key: string, action: string, actor: string, data: Record<string, string | number | boolean | null>) =>
    recordEvidence({ key: `${workflowId}:${key}`, at: new Date(), actor: { id: actor, type: actor.startsWith('system:') ? 'system' : 'person' }, action, resource, data: { staffId: assignment.staffId, moduleId: assignment.moduleId, moduleVersion: assignment.moduleVersion, ...data } });
  const pendingEvidence: Parameters<typeof record>[] = [];

  setHandler(assignmentQuery, () => assignment);
  setHandler(withdrawAssignmentSignal, ({ reason }) => {
    const before = assignment.status;
    assignment = withdraw(assignment, reason, new Date().toISOString());
    if (assignment.status !== before) pendingEvidence.push(['withdrawn', 'training.withdrawn', 'system:directory', { reason }]);
    changed = true;
  });
  setHandler(
    completeAssignmentUpdate,
    (request) => {
      const attempt = completionInput(input.module, request);
      const at = new Date().toISOString();
      const result = attempt.quizResult;
      const passed = !result || result.passed;
      assignment = passed ? applyCompletion(assignment, attempt, at) : applyFailedAttempt(assignment, result, request.via, at);
      const n = assignment.attempts.length;
      pendingEvidence.push([`attempt-${n}`, passed ? 'training.completed' : 'training.attempt-failed', request.by, { via: request.via, score: result?.score ?? null, passed, attempt: n }]);
      changed = true;
      return { status: assignment.status, counted: passed ? 'completed' : 'failed-attempt', ...(result && { score: result.score, passed: result.passed }) };
    },
    {
      validator: (request) => {
        if (closed) throw new Error('the campaign cycle has closed: this assignment can no longer be completed');
        const refusal = refuseAttempt(assignment, completionInput(input.module, request));
        if (refusal) throw new Error(refusal);
      },
    },
  );

  const closesAt = Date.parse(assignment.dueAt) + Duration.fromISO(input.closeAfterDue).toMillis();
  // Reminders are e-mails: where the LMS sends its own, there is nothing to time. The escalation is still recorded.
  const reminders = input.notifications === 'email' ? input.reminders : { ...input.reminders, count: 0 };
  const tell = async (notice: 'assigned' | 'reminder' | 'escalation', key: string) => {
    if (input.notifications === 'email') await notifyAssignment({ key: `${workflowId}:${key}`, notice, assignment, moduleTitle: input.module.title, campaignTitle: input.campaignTitle });
  };

  // The enrolment itself is in the evidence trail once per batch (the campaign records it), not once per person.
  await saveAssignment({ assignment, version: ++version });
  await tell('assigned', 'assigned');

  for (;;) {
    while (pendingEvidence.length > 0) await record(...pendingEvidence.shift()!);
    if (changed) {
      changed = false;
      await saveAssignment({ assignment, version: ++version });
    }
    if (assignment.status !== 'assigned') break;
    const now = Date.now();
    // Closing incomplete is recorded by the campaign, with every other assignment that closed so, at the cycle's end.
    if (now >= closesAt) {
      closed = true;
      break;
    }
    const notice = nextNotice(assignment, reminders, new Date(now).toISOString());
    const wakeAt = notice ? Math.min(Date.parse(notice.at), closesAt) : closesAt;
    if (await condition(() => changed || pendingEvidence.length > 0, Math.max(1, wakeAt - now))) continue;
    if (notice && Date.now() >= Date.parse(notice.at)) {
      const key = notice.kind === 'escalation' ? 'escalation' : `reminder-${notice.index + 1}`;
      await tell(notice.kind, key);
      await record(key, `training.${notice.kind}`, 'system:training', { at: notice.at });
      assignment = applyNotice(assignment, notice);
      changed = true;
    }
  }
  // Let an update accepted in the same task finish, then keep what it changed.
  await condition(allHandlersFinished);
  while (pendingEvidence.length > 0) await record(...pendingEvidence.shift()!);
  if (changed) await saveAssignment({ assignment, version: ++version });
  return assignment;
}
