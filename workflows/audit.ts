import { ActivityFailure, ApplicationFailure, defineQuery, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CorrectiveActionSettings } from '../activities/audit';
import { auditScope } from '../domain/audit/scope';
import type { AuditScope, CheckId } from '../domain/audit/types';
import { SA } from '../platform/search-attributes';
import { scanTaskQueue } from '../platform/task-queues';
import type { AuditTrigger, CheckResult } from '../store/audits';

/**
 * One audit run: its checks one after another, then the report's figures, then corrective actions for what is serious
 * enough. The run's id is its workflow id (a schedule adds the start time to the schedule's prefix), so every
 * finding names the run that found it.
 */
export interface AuditRunInput {
  trigger: AuditTrigger;
  scope: Partial<AuditScope>;
  correctiveActions?: CorrectiveActionSettings;
}

export interface AuditProgress {
  runId: string;
  phase: 'checking' | 'reporting' | 'corrective-actions' | 'done';
  checks: CheckResult[];
  current?: CheckId;
}

export const auditProgressQuery = defineQuery<AuditProgress>('progress');

/**
 * Checks stream whole collections: long, but alive — a worker that dies mid-scan is noticed within the heartbeat
 * timeout and the next attempt resumes from the checkpoint. They run on the scan task queue (see worker/create.ts).
 * A check that keeps failing is reported as failed rather than holding the other checks back.
 */
function scanActivities(taskQueue: string) {
  return proxyActivities<Activities>({
    taskQueue: scanTaskQueue(taskQueue),
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });
}
const { startAuditRun, recordFailedCheck, finishAuditRun, correctiveActionCandidates, openCorrectiveAction } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function auditRunWorkflow(input: AuditRunInput): Promise<AuditProgress> {
  const { workflowId: runId, taskQueue } = workflowInfo();
  const { runAuditCheck } = scanActivities(taskQueue);
  const scope = auditScope(input.scope);
  const progress: AuditProgress = { runId, phase: 'checking', checks: [] };
  setHandler(auditProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: SA.process, value: 'audit' },
    { key: SA.status, value: 'checking' },
  ]);

  const startedAt = new Date().toISOString();
  await startAuditRun({ runId, trigger: input.trigger, scope, startedAt });
  for (const check of scope.checks) {
    progress.current = check;
    try {
      progress.checks.push(await runAuditCheck({ runId, check, scope, now: startedAt }));
    } catch (err) {
      const error = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : String((err as Error).message);
      await recordFailedCheck({ runId, check, error });
      progress.checks.push({ check, status: 'failed', recordsScanned: 0, recordsRead: 0, findings: 0, error });
    }
  }
  delete progress.current;

  progress.phase = 'reporting';
  await finishAuditRun({ runId, finishedAt: new Date().toISOString() });

  progress.phase = 'corrective-actions';
  const settings = input.correctiveActions ?? {};
  for (const candidate of await correctiveActionCandidates({ runId, threshold: scope.correctiveActionSeverity })) {
    await openCorrectiveAction({
      opening: {
        check: candidate.check,
        rule: candidate.rule,
        severity: candidate.severity,
        owner: settings.owners?.[candidate.check] ?? settings.owner ?? input.trigger.by,
        escalateTo: settings.escalateTo ?? input.trigger.by,
        openedBy: input.trigger.by,
        ...(settings.policy && { policy: settings.policy }),
      },
      findings: { runId, findingCount: candidate.findingCount, severity: candidate.severity },
    });
  }

  progress.phase = 'done';
  upsertSearchAttributes([{ key: SA.status, value: progress.checks.some((c) => c.status === 'failed') ? 'failed' : 'completed' }]);
  return progress;
}
