import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { nextEscalation, type NextEscalation } from '../domain/breach/escalation';
import {
  applyStep,
  escalates,
  initialState,
  needsRecompute,
  nextDue,
  reconcile,
  refuseStep,
  type IncidentReport,
  type IncidentState,
  type Step,
  type TrackedObligation,
} from '../domain/breach/incident';
import type { Actor, EvidenceInput } from '../domain/evidence';
import { SA } from '../platform/search-attributes';
import { assessObligations, recordEvidence, saveIncident, sendEmail } from './activities';
import { publish } from './publish';

// The whole message surface of an incident.
/**
 * Every human step is one update: the responder learns synchronously whether the step was accepted, and a refused
 * step (wrong phase, late notice without reasons, closing with open obligations) is rejected by the validator
 * before anything reaches the history.
 */
export const stepUpdate = defineUpdate<IncidentState, [{ step: Step; actor: Actor }]>('step');
export const incidentQuery = defineQuery<IncidentState>('incident');

export type IncidentWorkflowInput = { report: IncidentReport } | { resume: IncidentState };

const ENGINE: Actor = { id: 'system:breach-clock', type: 'system' };

export const incidentWorkflowId = (incidentId: string): string => `incident-${incidentId}`;

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentState> {
  const { workflowId } = workflowInfo();
  let state = 'resume' in input ? input.resume : initialState(input.report);
  const resource = { type: 'incident', id: state.incidentId };
  const now = (): string => new Date().toISOString();
  // Steps run one at a time: each awaits activities, and two interleaved steps could otherwise act on stale state.
  let busy = false;
  const clocks = new Set<string>();

  const obligation = (id: string): TrackedObligation | undefined => state.obligations.find((o) => o.id === id);

  async function persist(): Promise<void> {
    const due = nextDue(state);
    upsertSearchAttributes([
      { key: SA.status, value: state.phase },
      { key: SA.dueAt, value: due ? new Date(due) : null },
    ]);
    await saveIncident(state);
  }

  async function recompute(cause: string): Promise<void> {
    const assessment = await assessObligations({ facts: state.facts, adjustments: state.adjustments, asapTargetHours: state.asapTargetHours, now: now() });
    const { state: next, changes } = reconcile(state, assessment);
    state = next;
    if (changes.length > 0) {
      await recordEvidence({
        key: `${workflowId}:obligations:${state.version}`,
        at: new Date(),
        actor: ENGINE,
        action: 'incident.obligations-changed',
        resource,
        data: { cause, revision: state.revision, packVersion: assessment.packVersion, changes: changes.map((c) => ({ ...c })) },
      });
    }
    startClocks();
  }

  /** One clock per obligation: a loop that sleeps on a durable timer until the next escalation step is due. */
  function startClocks(): void {
    for (const o of state.obligations) {
      if (!escalates(o) || clocks.has(o.id)) continue;
      clocks.add(o.id);
      void runClock(o.id).finally(() => clocks.delete(o.id));
    }
  }

  async function runClock(id: string): Promise<void> {
    for (;;) {
      const o = obligation(id);
      if (!o || !escalates(o) || state.phase === 'closed') return;
      const progress = `${o.escalation.window}|${o.escalation.handled}`;
      const next = nextEscalation(state.ladder, { startsAt: o.startsAt!, dueAt: o.dueAt! }, o.escalation.handled, now());
      const moved = await condition(() => {
        const current = obligation(id);
        return !current || !escalates(current) || `${current.escalation.window}|${current.escalation.handled}` !== progress;
      }, Math.max(1, Date.parse(next.step.at) - Date.now()));
      // Derived again on waking: after an outage (no worker alive) later steps may be due too, and only the latest is
      // sent, naming the others as skipped; sending the one planned before the sleep would warn with a stale step.
      if (!moved) await escalate(o, nextEscalation(state.ladder, { startsAt: o.startsAt!, dueAt: o.dueAt! }, o.escalation.handled, now()));
    }
  }

  async function escalate(o: TrackedObligation, next: NextEscalation): Promise<void> {
    const { step } = next;
    const stepId = `esc:${o.id}:${o.dueAt}:${step.label}`;
    const key = `${workflowId}:${stepId}`;
    const link = `/incidents/${state.incidentId}`;
    await recordEvidence({
      key,
      at: new Date(),
      actor: ENGINE,
      action: 'incident.escalated',
      resource,
      data: { obligationId: o.id, step: step.label, scheduledAt: step.at, dueAt: o.dueAt, overdue: step.overdue, skipped: next.skipped },
    });
    const recipients = state.contacts.map((c) => c.email);
    try {
      await Promise.all([
        recipients.length > 0 &&
          sendEmail({
            key,
            to: recipients,
            template: 'breach.escalation',
            data: {
              incidentTitle: state.title,
              incidentId: state.incidentId,
              obligationTitle: o.title,
              recipient: o.recipient,
              citation: o.citation,
              dueAt: o.dueAt!,
              step: step.label,
              overdue: step.overdue,
              statutory: o.statutory,
              verify: o.verify,
              link,
            },
            resource,
          }),
        publish({
          step: stepId,
          type: 'breach.escalation',
          data: { incidentId: state.incidentId, obligationId: o.id, regime: o.regime, step: step.label, dueAt: o.dueAt, overdue: step.overdue },
          occurredAt: now(),
          resource,
        }),
      ]);
    } catch (err) {
      // A receiver that refuses for good must not stop the clock: the next step still goes out, and the failure is
      // in the delivery log for the operators.
      log.warn('escalation delivery failed', { obligationId: o.id, step: step.label, error: (err as Error).message });
    }
    state = {
      ...state,
      version: state.version + 1,
      obligations: state.obligations.map((ob) =>
        ob.id === o.id && ob.escalation.window === o.dueAt
          ? { ...ob, escalation: { window: ob.escalation.window, handled: next.index + 1, sent: [...ob.escalation.sent, { label: step.label, at: now() }] } }
          : ob,
      ),
    };
    // Not saved to the register here: the evidence trail already has the escalation, and the next step's save
    // carries the progress along. Saving after every escalation would double the database work of a busy ladder.
  }

  setHandler(incidentQuery, () => state);
  setHandler(
    stepUpdate,
    async ({ step, actor }) => {
      await condition(() => !busy);
      busy = true;
      try {
        // Checked again: a step queued behind another may no longer fit the state it now meets.
        const refusal = refuseStep(state, step, now());
        if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'StepRefused');
        state = applyStep(state, step, actor, now());
        await recordEvidence({ key: `${workflowId}:step:${state.version}`, at: new Date(), actor, action: `incident.${step.kind}`, resource, data: evidenceOf(step) });
        if (needsRecompute(step)) await recompute(step.kind);
        await persist();
        return state;
      } finally {
        busy = false;
      }
    },
    {
      validator: ({ step }) => {
        const refusal = refuseStep(state, step, now());
        if (refusal) throw new Error(refusal);
      },
    },
  );

  if ('report' in input) {
    await recordEvidence({
      key: `${workflowId}:reported`,
      at: new Date(state.reportedAt),
      actor: state.reportedBy,
      action: 'incident.reported',
      resource,
      data: { title: state.title, anchors: { ...state.facts.anchors }, systems: state.systems, flags: state.facts.flags },
    });
    busy = true;
    // Past the copy the API registered (version 1), so this run's first save replaces it.
    state = { ...state, version: state.version + 1 };
    await recompute('reported');
    await persist();
    busy = false;
  } else {
    startClocks();
  }

  // Long incidents (a HIPAA annual log runs for over a year, overdue escalations repeat) start a fresh history when
  // the server suggests it, carrying the state over; clocks resume from it in the new run.
  await condition(() => state.phase === 'closed' || (workflowInfo().continueAsNewSuggested && !busy));
  await condition(allHandlersFinished);
  if (state.phase !== 'closed') await continueAsNew<typeof incidentWorkflow>({ resume: state });
  return state;
}

/** What a step puts in the evidence trail: the step itself, which carries ids, instants and decisions. */
function evidenceOf(step: Step): EvidenceInput['data'] {
  // Through JSON: optional fields left undefined are dropped, and the rest is plain data the trail can hash.
  return JSON.parse(JSON.stringify(step)) as EvidenceInput['data'];
}
