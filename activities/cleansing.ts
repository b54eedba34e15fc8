import { heartbeat } from '@temporalio/activity';
import { proposeFixes } from '../domain/audit/accuracy';
import { outcomeOfChange, type ChangeOutcome, type CleansingRun } from '../domain/audit/cleansing';
import type { FixKind } from '../domain/audit/types';
import type { Actor } from '../domain/evidence';
import { AuditStore } from '../store/audits';
import { CleansingStore, type CleansingChange } from '../store/cleansing';
import { EvidenceStore } from '../store/evidence';
import { SubjectStore } from '../store/subjects';
import type { ActivityDeps } from './deps';

const PREVIEW_BATCH = 500;

export function cleansingActivities(deps: ActivityDeps) {
  const subjects = new SubjectStore(deps.db, deps.crypto);
  const audits = new AuditStore(deps.db);
  const cleansing = new CleansingStore(deps.db, deps.crypto);
  const evidence = EvidenceStore.shared(deps.db);

  return {
    /**
     * The dry run: for every fixable finding of the audit run, the change a cleansing would make to the record as it
     * is now. Nothing in the subjects is written.
     */
    async previewCleansing(input: { cleansingId: string; runId: string; fixes?: FixKind[] }): Promise<{ changes: number }> {
      let batch: Omit<CleansingChange, 'state'>[] = [];
      let changes = 0;
      for await (const finding of audits.findingsOf(input.runId, { check: 'data-accuracy' })) {
        if (!finding.fix || (input.fixes && !input.fixes.includes(finding.fix))) continue;
        const record = await subjects.auditRecordOf(finding.recordIds[0]);
        const proposal = record && proposeFixes(record).find((p) => p.fix === finding.fix);
        if (!proposal) continue;
        batch.push({ cleansingId: input.cleansingId, subjectId: record.id, field: proposal.field, fix: proposal.fix, findingId: finding.id, before: proposal.before, after: proposal.after });
        if (batch.length === PREVIEW_BATCH) {
          await cleansing.preview(batch);
          changes += batch.length;
          batch = [];
          heartbeat(changes);
        }
      }
      await cleansing.preview(batch);
      return { changes: changes + batch.length };
    },

    async saveCleansingRun(input: { cleansingId: string; run: CleansingRun; changes: number }): Promise<void> {
      await cleansing.saveRun(input.cleansingId, { ...input.run, changes: input.changes });
    },

    /**
     * Writes the approved changes where each record still holds the value the approver saw, each change recorded
     * before and after (encrypted) in the evidence trail. A change is marked `applying` before its write, so a retry
     * after a crash recognises its own write instead of calling it someone else's.
     */
    async applyCleansing(input: { cleansingId: string; runId: string; approvedBy: Actor }): Promise<Record<ChangeOutcome, number>> {
      const outcomes: Record<ChangeOutcome, number> = { apply: 0, 'skip-changed': 0, 'skip-already-fixed': 0 };
      for await (const change of cleansing.changesOf(input.cleansingId)) {
        outcomes[await applyChange(change, input)] += 1;
        heartbeat(change.id);
      }
      return outcomes;
    },
  };

  async function applyChange(change: CleansingChange & { id: string }, input: { cleansingId: string; runId: string; approvedBy: Actor }): Promise<ChangeOutcome> {
    if (change.state === 'applied') return 'apply';
    if (change.state === 'skip-changed' || change.state === 'skip-already-fixed') return change.state;
    const current = (await subjects.auditRecordOf(change.subjectId))?.[change.field];
    let outcome = outcomeOfChange(change, current);
    if (change.state === 'applying' && outcome === 'skip-already-fixed') outcome = 'apply';
    else if (outcome === 'apply') {
      await cleansing.setState(change, 'applying');
      if (!(await subjects.replaceField(change.subjectId, change.field, change.before, change.after))) outcome = 'skip-changed';
    }
    if (outcome === 'apply') {
      await evidence.append({
        key: `cleansing:${change.id}`,
        at: new Date(),
        actor: input.approvedBy,
        action: 'subject.cleansed',
        resource: { type: 'subject', id: change.subjectId },
        data: {
          cleansingId: input.cleansingId,
          runId: input.runId,
          findingId: change.findingId,
          field: change.field,
          fix: change.fix,
          before: deps.crypto.encrypt(change.before, 'evidence.cleansing'),
          after: deps.crypto.encrypt(change.after, 'evidence.cleansing'),
        },
      });
    }
    await cleansing.setState(change, outcome === 'apply' ? 'applied' : outcome);
    return outcome;
  }
}

export type CleansingActivities = ReturnType<typeof cleansingActivities>;
