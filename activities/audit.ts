import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { atLeast, type AuditScope, type CheckId, type Severity } from '../domain/audit/types';
import type { CorrectiveActionPolicy } from '../domain/audit/corrective';
import type { EmailTemplateData } from '../domain/templates';
import type { SavedCorrectiveAction } from '../store/corrective-actions';
import type { NotificationActivities } from './notifications';
import { createStores } from '../store';
import { AuditStore, type AuditRun, type AuditTrigger, type CheckResult } from '../store/audits';
import { EvidenceStore } from '../store/evidence';
import { scansOf } from './audit-checks';
import { runScan } from './audit-scan';
import type { ConsentActivityDeps } from './consent';

/** What a run of the audit workflow opens corrective actions with. */
export interface CorrectiveActionSettings {
  /** Who owns the actions a run opens, per check or for all; the launcher when unset. */
  owner?: string;
  owners?: Partial<Record<CheckId, string>>;
  /** Who hears of an overdue action; the launcher when unset. */
  escalateTo?: string;
  policy?: PolicyOverrides;
}

/** A policy's fields to replace; `dueIn` per severity. */
export type PolicyOverrides = Partial<Omit<CorrectiveActionPolicy, 'dueIn'>> & { dueIn?: Partial<CorrectiveActionPolicy['dueIn']> };

/** The start of a corrective action, or the next run's findings joining the open one. */
export interface CorrectiveActionOpening {
  check: CheckId;
  rule: string;
  severity: Severity;
  owner: string;
  escalateTo: string;
  openedBy: string;
  policy?: PolicyOverrides;
}

export interface RunFindings {
  runId: string;
  findingCount: number;
  severity: Severity;
}

/**
 * One open action per rule per deployment. Workflow ids are unique per Temporal namespace, which deployments with
 * their own databases may share, so the database's name is part of the id.
 */
export function correctiveActionWorkflowId(database: string, check: CheckId, rule: string): string {
  return `corrective-${database}-${check}.${rule}`;
}

export function auditActivities(deps: ConsentActivityDeps, notify: NotificationActivities) {
  const stores = createStores(deps.db, deps.crypto);
  const audits = new AuditStore(deps.db);
  const evidence = EvidenceStore.shared(deps.db);

  return {
    async startAuditRun(input: { runId: string; trigger: AuditTrigger; scope: AuditScope; startedAt: string }): Promise<void> {
      await audits.start({ ...input, status: 'running', checks: [] });
    },

    /**
     * Runs one check: its scans resume from their checkpoints when an earlier attempt died, and the result counts
     * the records read twice.
     */
    async runAuditCheck(input: { runId: string; check: CheckId; scope: AuditScope; now: string }): Promise<CheckResult> {
      const totals = { scanned: 0, read: 0, findings: 0 };
      if (input.check === 'evidence-integrity') {
        const verification = await evidence.verify();
        const findings = verification.ok
          ? []
          : await audits.saveFindings(input.runId, [
              {
                check: 'evidence-integrity',
                rule: 'chain-broken',
                severity: 'critical',
                recordType: 'evidence-event',
                recordIds: [String(verification.firstBreak!.seq)],
                recommendation: 'Restore the evidence trail from backup and investigate who changed the database: events were altered, removed or reordered.',
                detail: { reason: verification.firstBreak!.reason, seq: verification.firstBreak!.seq },
              },
            ], input.now);
        Object.assign(totals, { scanned: verification.checked, read: verification.checked, findings: findings.length });
      } else {
        for (const scan of scansOf(input.check, { stores, db: deps.db, scope: input.scope, now: input.now })) {
          const part = await runScan(audits, input.runId, scan, () => input.now, heartbeat);
          totals.scanned += part.scanned;
          totals.read += part.read;
          totals.findings += part.findings;
        }
      }
      const result: CheckResult = { check: input.check, status: totals.findings > 0 ? 'findings' : 'passed', recordsScanned: totals.scanned, recordsRead: totals.read, findings: totals.findings };
      await audits.recordCheck(input.runId, result);
      return result;
    },

    async recordFailedCheck(input: { runId: string; check: CheckId; error: string }): Promise<void> {
      await audits.recordCheck(input.runId, { check: input.check, status: 'failed', recordsScanned: 0, recordsRead: 0, findings: 0, error: input.error });
    },

    /** Closes the run and puts its figures in the evidence trail, so a report can be checked against them later. */
    async finishAuditRun(input: { runId: string; finishedAt: string }): Promise<AuditRun> {
      const run = await audits.run(input.runId);
      if (!run) throw ApplicationFailure.nonRetryable(`audit run ${input.runId} is not registered`, 'UnknownAuditRun');
      const status = run.checks.some((c) => c.status === 'failed') ? 'failed' : 'completed';
      await audits.finish(input.runId, status, input.finishedAt);
      await evidence.append({
        key: `audit.completed:${input.runId}`,
        at: new Date(input.finishedAt),
        actor: { type: 'system', id: 'system:audit' },
        action: 'audit.completed',
        resource: { type: 'audit', id: input.runId },
        data: { status, trigger: run.trigger.kind, checks: run.checks.map((c) => ({ check: c.check, status: c.status, recordsScanned: c.recordsScanned, findings: c.findings })) },
      });
      return { ...run, status, finishedAt: input.finishedAt };
    },

    /** The finding rules of a run at or above the threshold, with how many findings each has: one action per rule. */
    async correctiveActionCandidates(input: { runId: string; threshold: Severity }): Promise<{ check: CheckId; rule: string; severity: Severity; findingCount: number }[]> {
      const byRule = new Map<string, { check: CheckId; rule: string; severity: Severity; findingCount: number }>();
      for await (const finding of audits.findingsOf(input.runId)) {
        if (!atLeast(finding.severity, input.threshold)) continue;
        const key = `${finding.check}.${finding.rule}`;
        const entry = byRule.get(key) ?? { check: finding.check, rule: finding.rule, severity: finding.severity, findingCount: 0 };
        entry.findingCount += 1;
        if (atLeast(finding.severity, entry.severity)) entry.severity = finding.severity;
        byRule.set(key, entry);
      }
      return [...byRule.values()];
    },

    /**
     * Starts the rule's corrective action, or tells the open one about this run. Signal-with-start does both in one
     * call; the action ignores a run it already has, so a retry changes nothing.
     */
    async openCorrectiveAction(input: { opening: CorrectiveActionOpening; findings: RunFindings }): Promise<void> {
      if (!deps.temporal) throw new Error('this worker has no Temporal client for starting corrective actions');
      const client = await deps.temporal();
      await client.workflow.signalWithStart('correctiveActionWorkflow', {
        workflowId: correctiveActionWorkflowId(deps.config.mongoDb, input.opening.check, input.opening.rule),
        taskQueue: deps.config.taskQueue,
        args: [input.opening],
        signal: 'findingsRecorded',
        signalArgs: [input.findings],
      });
    },

    async saveCorrectiveAction(action: SavedCorrectiveAction): Promise<void> {
      await stores.correctiveActions.save(action);
    },

    /** E-mails the principals named (those with an address) about a corrective action. */
    async notifyCorrectiveAction(input: { key: string; principalIds: string[]; data: EmailTemplateData['audit.corrective-action'] }): Promise<void> {
      const people = await Promise.all([...new Set(input.principalIds)].map((id) => stores.principals.get(id)));
      const to = people.flatMap((p) => (p?.email && p.status === 'active' ? [p.email] : []));
      if (to.length === 0) return;
      await notify.sendEmail({ key: input.key, to, template: 'audit.corrective-action', data: input.data, resource: { type: 'corrective-action', id: input.data.actionId } });
    },

    /** Links the run's findings of a rule to the corrective action that addresses them (shown in reports). */
    async attachFindings(input: { actionId: string; runId: string; check: CheckId; rule: string }): Promise<number> {
      const ids: string[] = [];
      for await (const finding of audits.findingsOf(input.runId, { check: input.check, rule: input.rule })) ids.push(finding.id);
      await audits.linkCorrectiveAction(ids, input.actionId);
      return ids.length;
    },
  };
}

export type AuditActivities = ReturnType<typeof auditActivities>;
