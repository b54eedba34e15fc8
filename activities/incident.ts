import { computeObligations } from '../domain/breach/engine';
import { draftsFor } from '../domain/breach/drafts';
import type { IncidentState } from '../domain/breach/incident';
import { BREACH_RULES } from '../domain/breach/pack';
import type { Assessment, ClockAdjustment, IncidentFacts } from '../domain/breach/types';
import { IncidentStore } from '../store/incidents';
import type { ActivityDeps } from './deps';

export interface AssessObligationsInput {
  facts: IncidentFacts;
  adjustments: ClockAdjustment[];
  asapTargetHours: number;
  now: string;
}

export function incidentActivities(deps: ActivityDeps) {
  const store = new IncidentStore(deps.db, deps.crypto);
  return {
    /**
     * Runs the deadline engine. An activity rather than a call inside the workflow, although the engine is pure: its
     * result is then recorded in the workflow's history, so deploying a new rules pack changes the obligations of
     * running incidents at their next recomputation (with the new pack version in the evidence), never on replay.
     */
    async assessObligations(input: AssessObligationsInput): Promise<Assessment> {
      return computeObligations(BREACH_RULES, input.facts, { now: input.now, asapTargetHours: input.asapTargetHours, adjustments: input.adjustments });
    },

    /** Stores the incident's snapshot, with the notice drafts built from it, in the breach register. */
    async saveIncident(state: IncidentState): Promise<'saved' | 'stale'> {
      return store.save(state, draftsFor(state));
    },
  };
}
