import type { EvidenceInput } from '../domain/evidence';
import { EvidenceStore } from '../store/evidence';
import type { ActivityDeps } from './deps';

export function evidenceActivities(deps: ActivityDeps) {
  const store = EvidenceStore.shared(deps.db);
  return {
    /** Appends one event to the trail; the input's key makes a retried call return the event already written. */
    async recordEvidence(input: EvidenceInput): Promise<{ seq: number; hash: string }> {
      const event = await store.append({ ...input, at: new Date(input.at) });
      return { seq: event.seq, hash: event.hash };
    },
  };
}
