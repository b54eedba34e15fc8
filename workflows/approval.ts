import { allHandlersFinished, condition, defineQuery, defineUpdate, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  applyDecision,
  initialState,
  nextReminderAt,
  refuseDecision,
  type ApprovalRequest,
  type ApprovalState,
  type DecisionInput,
} from '../domain/approval';
import type { Actor } from '../domain/evidence';
import { SA } from '../platform/search-attributes';
import { recordEvidence, sendEmail } from './activities';
import { publish } from './publish';

// The whole message surface of an approval.
/** An update, not a signal: the decider learns at once whether the decision was accepted, and why not. */
export const decideUpdate = defineUpdate<ApprovalState, [DecisionInput]>('decide');
export const approvalStateQuery = defineQuery<ApprovalState>('state');

const ENGINE: Actor = { id: 'system:approval', type: 'system' };

export async function approvalWorkflow(request: ApprovalRequest): Promise<ApprovalState> {
  const { workflowId } = workflowInfo();
  let state = initialState(request);
  const resource = { type: 'approval', id: request.approvalId };
  const link = `/approvals/${request.approvalId}`;

  setHandler(approvalStateQuery, () => state);
  setHandler(
    decideUpdate,
    async (input) => {
      state = applyDecision(state, input, new Date().toISOString());
      return state;
    },
    {
      validator: (input) => {
        const refusal = refuseDecision(state, input);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  upsertSearchAttributes([
    { key: SA.process, value: 'approval' },
    { key: SA.status, value: 'pending' },
    { key: SA.resourceId, value: request.resource.id },
    { key: SA.dueAt, value: new Date(state.expiresAt) },
  ]);
  await recordEvidence({
    key: `${workflowId}:requested`,
    at: new Date(request.requestedAt),
    actor: request.requestedBy,
    action: 'approval.requested',
    resource,
    data: { title: request.title, subject: request.resource, approverRole: request.approverRole ?? null, approverIds: request.approverIds, expiresAt: state.expiresAt },
  });
  await Promise.all([
    request.notify.length > 0 &&
      sendEmail({ key: `${workflowId}:requested`, to: request.notify, template: 'approval.requested', data: { title: request.title, approvalId: request.approvalId, link, dueAt: state.expiresAt }, resource }),
    publish({ step: 'requested', type: 'approval.requested', data: { approvalId: request.approvalId, resource: request.resource, expiresAt: state.expiresAt }, occurredAt: request.requestedAt, resource }),
  ]);

  // Wait for a decision, sending reminders on the way; each wait is a durable timer that survives worker restarts.
  while (state.status === 'pending') {
    const reminderAt = nextReminderAt(request, state);
    const until = reminderAt ?? state.expiresAt;
    const decided = await condition(() => state.status !== 'pending', Math.max(1, Date.parse(until) - Date.now()));
    if (decided) break;
    if (!reminderAt) {
      state = { ...state, status: 'expired' };
      break;
    }
    const n = state.remindersSent + 1;
    state = { ...state, remindersSent: n };
    await recordEvidence({ key: `${workflowId}:reminder-${n}`, at: new Date(), actor: ENGINE, action: 'approval.reminded', resource, data: { reminder: n } });
    if (request.notify.length > 0) {
      await sendEmail({ key: `${workflowId}:reminder-${n}`, to: request.notify, template: 'approval.reminder', data: { title: request.title, approvalId: request.approvalId, link, dueAt: state.expiresAt, reminder: n }, resource });
    }
  }

  upsertSearchAttributes([{ key: SA.status, value: state.status }]);
  const decision = state.decision;
  await recordEvidence({
    key: `${workflowId}:${state.status}`,
    at: new Date(decision?.decidedAt ?? Date.now()),
    actor: decision?.decidedBy ?? ENGINE,
    action: `approval.${state.status}`,
    resource,
    data: { decision: decision?.decision ?? null, reason: decision?.reason ?? null, remindersSent: state.remindersSent },
  });
  await Promise.all([
    request.notify.length > 0 &&
      sendEmail({ key: `${workflowId}:${state.status}`, to: request.notify, template: 'approval.decided', data: { title: request.title, approvalId: request.approvalId, link, outcome: state.status, reason: decision?.reason ?? '' }, resource }),
    publish({
      step: state.status,
      type: `approval.${state.status}`,
      data: { approvalId: request.approvalId, resource: request.resource, outcome: state.status },
      occurredAt: decision?.decidedAt ?? new Date().toISOString(),
      resource,
    }),
  ]);
  // Let an update accepted in the same task finish before the run closes.
  await condition(allHandlersFinished);
  return state;
}
