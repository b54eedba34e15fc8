import { allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import { Duration } from 'luxon';
import type { Activities } from '../activities';
import { applyDecision, applyExpiry, applyOutcomes, previewedRun, refuseDecision, type CleansingDecision, type CleansingRun } from '../domain/audit/cleansing';
import type { FixKind } from '../domain/audit/types';
import type { Actor } from '../domain/evidence';
import { recordEvidence } from './activities';

// The whole message surface of a cleansing run.
/** An update, not a signal: the decider learns at once if the four-eyes rule refused them. */
export const cleansingDecisionUpdate = defineUpdate<CleansingView, [CleansingDecision]>('decide');
export const cleansingQuery = defineQuery<CleansingView>('cleansing');

export interface CleansingInput {
  cleansingId: string;
  runId: string;
  requestedBy: Actor;
  fixes?: FixKind[];
  /** How long the preview may wait for a decision (ISO 8601 duration); the records may change too much after. */
  validFor?: string;
}

export type CleansingView = CleansingRun & { cleansingId: string; changes?: number };

const { previewCleansing, saveCleansingRun } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { applyCleansing } = proxyActivities<Activities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Dry run, then a second person's decision, then the change: nothing is written to a subject before approval. */
export async function cleansingWorkflow(input: CleansingInput): Promise<CleansingView> {
  const now = new Date();
  const validFor = Duration.fromISO(input.validFor ?? 'P14D').toMillis();
  let state: CleansingView = { cleansingId: input.cleansingId, ...previewedRun(input.runId, input.requestedBy, now.toISOString(), new Date(now.getTime() + validFor).toISOString()) };
  let previewed = false;
  setHandler(cleansingQuery, () => state);
  setHandler(
    cleansingDecisionUpdate,
    async (decision) => {
      state = { ...state, ...applyDecision(state, decision, new Date().toISOString()) };
      return state;
    },
    {
      validator: (decision) => {
        // Nobody can approve a preview they could not yet have seen.
        if (!previewed) throw new Error('the dry run is still being prepared; try again in a moment');
        const refusal = refuseDecision(state, decision);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  const resource = { type: 'cleansing', id: input.cleansingId };
  const { changes } = await previewCleansing({ cleansingId: input.cleansingId, runId: input.runId, fixes: input.fixes });
  state = { ...state, changes };
  previewed = true;
  await saveCleansingRun({ cleansingId: input.cleansingId, run: state, changes });
  await recordEvidence({ key: `${input.cleansingId}:previewed`, at: now, actor: input.requestedBy, action: 'cleansing.previewed', resource, data: { runId: input.runId, changes, fixes: input.fixes ?? null } });

  const decided = await condition(() => state.status !== 'previewed', Math.max(1, Date.parse(state.expiresAt) - Date.now()));
  if (!decided) state = { ...state, ...applyExpiry(state, new Date().toISOString()) };
  await saveCleansingRun({ cleansingId: input.cleansingId, run: state, changes });
  await recordEvidence({
    key: `${input.cleansingId}:${state.status}`,
    at: new Date(state.decision?.decidedAt ?? Date.now()),
    actor: state.decision?.by ?? { id: 'system:cleansing', type: 'system' },
    action: `cleansing.${state.status}`,
    resource,
    data: { runId: input.runId, reason: state.decision?.reason ?? null },
  });

  if (state.status === 'approved') {
    const outcomes = await applyCleansing({ cleansingId: input.cleansingId, runId: input.runId, approvedBy: state.decision!.by });
    state = { ...state, ...applyOutcomes(state, outcomes, new Date().toISOString()) };
    await saveCleansingRun({ cleansingId: input.cleansingId, run: state, changes });
    await recordEvidence({ key: `${input.cleansingId}:applied`, at: new Date(), actor: state.decision!.by, action: 'cleansing.applied', resource, data: { runId: input.runId, ...outcomes } });
  }
  await condition(allHandlersFinished);
  return state;
}
