import { allHandlersFinished, condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CorrectiveActionOpening, PolicyOverrides, RunFindings } from '../activities/audit';
import {
  addRun,
  applyEvidence,
  applyNotice,
  applyRiskAcceptance,
  applyVerification,
  DEFAULT_POLICY,
  isTerminal,
  nextNotice,
  openAction,
  refuseEvidence,
  refuseRiskAcceptance,
  refuseRun,
  refuseVerification,
  type CorrectiveAction,
  type CorrectiveActionPolicy,
  type EvidenceInput,
  type RiskAcceptanceInput,
  type VerificationInput,
} from '../domain/audit/corrective';
import type { Actor } from '../domain/evidence';
import { SA } from '../platform/search-attributes';
import { recordEvidence } from './activities';

// The whole message surface of a corrective action.
/** From each audit run that reports the rule: the first starts the action (signal-with-start), later ones join it. */
export const findingsRecordedSignal = defineSignal<[RunFindings]>('findingsRecorded');
/** Human steps are updates: a refused step (the owner verifying their own fix) is answered at once with its reason. */
export const submitEvidenceUpdate = defineUpdate<CorrectiveActionView, [EvidenceInput]>('submitEvidence');
export const verifyUpdate = defineUpdate<CorrectiveActionView, [VerificationInput]>('verify');
export const acceptRiskUpdate = defineUpdate<CorrectiveActionView, [RiskAcceptanceInput]>('acceptRisk');
export const correctiveActionQuery = defineQuery<CorrectiveActionView>('correctiveAction');

export type CorrectiveActionView = CorrectiveAction & { escalateTo: string; workflowId: string };

const { saveCorrectiveAction, attachFindings } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { notifyCorrectiveAction } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export function policyOf(overrides: PolicyOverrides = {}): CorrectiveActionPolicy {
  return { ...DEFAULT_POLICY, ...overrides, dueIn: { ...DEFAULT_POLICY.dueIn, ...overrides.dueIn } };
}

export async function correctiveActionWorkflow(opening: CorrectiveActionOpening): Promise<CorrectiveActionView> {
  const { workflowId, runId } = workflowInfo();
  const policy = policyOf(opening.policy);
  const arrived: RunFindings[] = [];
  /** Changes made by updates, recorded by the main loop in order (each with its own evidence key). */
  const changes: { action: string; actor: string; data: Record<string, string | number | null> }[] = [];
  setHandler(findingsRecordedSignal, (run) => void arrived.push(run));
  // The run that opened the action comes as the signal of signal-with-start, in the first workflow task.
  await condition(() => arrived.length > 0);

  const first = arrived.shift()!;
  let state: CorrectiveActionView = {
    ...openAction({ id: `ca_${runId}`, check: opening.check, rule: opening.rule, severity: opening.severity, owner: opening.owner, openedBy: opening.openedBy, openedAt: new Date().toISOString(), run: first }, policy),
    escalateTo: opening.escalateTo,
    workflowId,
  };
  let version = 0;
  const resource = { type: 'corrective-action', id: state.id };
  const title = `${opening.check}: ${opening.rule}`;
  const email = (notice: 'opened' | 'reminder' | 'escalation', key: string, to: string[]) =>
    notifyCorrectiveAction({
      key: `${state.id}:${key}`,
      principalIds: to,
      data: { notice, actionId: state.id, title, severity: state.severity, dueAt: state.dueAt, findings: state.runs.reduce((n, r) => n + r.findingCount, 0), owner: state.owner, link: `/corrective-actions/${state.id}` },
    });
  const persist = async () => saveCorrectiveAction({ ...state, version: ++version });
  const record = (key: string, action: string, actor: Actor, data: Record<string, string | number | null>) => recordEvidence({ key: `${state.id}:${key}`, at: new Date(), actor, action, resource, data });

  setHandler(correctiveActionQuery, () => state);
  const step = <I extends { by: string }>(refuse: (s: CorrectiveAction, input: I) => string | undefined, apply: (s: CorrectiveAction, input: I, at: string) => CorrectiveAction, action: string, data: (input: I) => Record<string, string | number | null>) => ({
    handler: (input: I) => {
      state = { ...state, ...apply(state, input, new Date().toISOString()) };
      changes.push({ action, actor: input.by, data: data(input) });
      return state;
    },
    validator: (input: I) => {
      const refusal = refuse(state, input);
      if (refusal) throw new Error(refusal);
    },
  });
  const evidenceStep = step(refuseEvidence, applyEvidence, 'corrective-action.evidence-submitted', (i) => ({ note: i.note, links: (i.links ?? []).join(' ') }));
  const verifyStep = step(refuseVerification, applyVerification, 'corrective-action.verified', (i) => ({ outcome: i.outcome, note: i.note }));
  const riskStep = step(refuseRiskAcceptance, applyRiskAcceptance, 'corrective-action.risk-accepted', (i) => ({ reason: i.reason, approver: i.approver }));
  setHandler(submitEvidenceUpdate, evidenceStep.handler, { validator: evidenceStep.validator });
  setHandler(verifyUpdate, verifyStep.handler, { validator: verifyStep.validator });
  setHandler(acceptRiskUpdate, riskStep.handler, { validator: riskStep.validator });

  upsertSearchAttributes([
    { key: SA.process, value: 'corrective-action' },
    { key: SA.status, value: state.status },
    { key: SA.resourceId, value: state.id },
    { key: SA.dueAt, value: new Date(state.dueAt) },
  ]);
  await attachFindings({ actionId: state.id, runId: first.runId, check: opening.check, rule: opening.rule });
  await record('opened', 'corrective-action.opened', { id: opening.openedBy, type: 'person' }, { check: opening.check, rule: opening.rule, severity: state.severity, owner: state.owner, dueAt: state.dueAt, runId: first.runId, findings: first.findingCount });
  await email('opened', 'opened', [state.owner]);

  let recorded = 0;
  // Each turn records what updates and runs changed, then waits for the next change or notice. An update may land
  // while a turn is saving, so the loop ends only after a turn that found the action resolved.
  for (;;) {
    for (; recorded < changes.length; recorded += 1) {
      const change = changes[recorded];
      await record(`change-${recorded + 1}`, change.action, { id: change.actor, type: 'person' }, change.data);
    }
    while (arrived.length > 0) {
      const run = arrived.shift()!;
      if (refuseRun(state, run)) continue;
      const before = state.runs.length;
      state = { ...state, ...addRun(state, run) };
      if (state.runs.length === before) continue;
      await attachFindings({ actionId: state.id, runId: run.runId, check: opening.check, rule: opening.rule });
      await record(`run-${run.runId}`, 'corrective-action.findings-added', { id: 'system:audit', type: 'system' }, { runId: run.runId, findings: run.findingCount });
    }
    upsertSearchAttributes([{ key: SA.status, value: state.status }]);
    await persist();
    if (isTerminal(state) && recorded === changes.length) break;
    const notice = nextNotice(state, policy, new Date().toISOString());
    const wake = () => changes.length > recorded || arrived.length > 0;
    const woken = notice ? await condition(wake, Math.max(1, Date.parse(notice.at) - Date.now())) : (await condition(wake), true);
    if (!woken && notice) {
      const key = `${notice.kind}-${notice.index + 1}`;
      await email(notice.kind, key, notice.kind === 'escalation' ? [state.escalateTo, state.owner] : [state.owner]);
      await record(key, `corrective-action.${notice.kind}`, { id: 'system:audit', type: 'system' }, { dueAt: state.dueAt, at: notice.at });
      state = { ...state, ...applyNotice(state, notice) };
    }
  }
  // Let an update accepted in the same task finish before the run closes.
  await condition(allHandlersFinished);
  return state;
}
