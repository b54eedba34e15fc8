import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import type { AuditScope, CheckId, FindingDraft } from '../domain/audit/types';
import { isDuplicateKey } from '../platform/mongo';

/**
 * Audit runs, their findings and each check's scan progress.
 *
 * A finding's identity is its check, rule and record ids (`findingKey`), so the same problem found again by the next
 * run is recognised: `audit_finding_history` (keyed by that identity) remembers the last run that saw it, and each
 * new occurrence links to it. Finding documents are keyed by run and identity, so a retried batch rewrites the same
 * documents instead of adding copies.
 */
export type RunStatus = 'running' | 'completed' | 'failed';

export interface AuditTrigger {
  kind: 'schedule' | 'ad-hoc';
  scheduleId?: string;
  /** The principal who launched the run, or who created its schedule. */
  by: string;
}

export interface CheckResult {
  check: CheckId;
  status: 'passed' | 'findings' | 'failed';
  recordsScanned: number;
  /** Records read, counting those read again after a crash; `recordsRead - recordsScanned` were scanned twice. */
  recordsRead: number;
  findings: number;
  error?: string;
}

export interface AuditRun {
  runId: string;
  trigger: AuditTrigger;
  scope: AuditScope;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  checks: CheckResult[];
}

export interface Finding extends FindingDraft {
  id: string;
  runId: string;
  key: string;
  /** The first run that found it, and the run before this one that did (absent when it is new). */
  firstRunId: string;
  previousRunId?: string;
  occurrences: number;
  at: string;
  correctiveActionId?: string;
}

export interface ScanProgress<C = unknown> {
  checkpoint?: C;
  scanned: number;
  read: number;
  findings: number;
  done: boolean;
}

interface StoredRun extends Omit<AuditRun, 'runId'> {
  _id: string;
}
interface StoredFinding extends Omit<Finding, 'id'> {
  _id: string;
}
interface History {
  _id: string;
  firstRunId: string;
  lastRunId: string;
  previousRunId?: string;
  occurrences: number;
}
interface StoredProgress extends ScanProgress {
  _id: string;
  updatedAt: Date;
}

export function findingKey(draft: Pick<FindingDraft, 'check' | 'rule' | 'recordIds'>): string {
  const ids = [...draft.recordIds].sort().join(' ');
  return createHash('sha256').update(`${draft.check}\u0000${draft.rule}\u0000${ids}`).digest('hex').slice(0, 32);
}

function readsId(runId: string, scan: string): string {
  return `${runId}:${scan}#reads`;
}

/** `_id` bounds of one run's documents: a range on `_id` is an index scan on MongoDB. */
function ofRun(runId: string) {
  return { _id: { $gt: `${runId}:`, $lt: `${runId};` } };
}

export class AuditStore {
  private readonly runs: Collection<StoredRun>;
  private readonly findings: Collection<StoredFinding>;
  private readonly history: Collection<History>;
  private readonly progress: Collection<StoredProgress>;

  constructor(db: Db) {
    this.runs = db.collection<StoredRun>('audit_runs');
    this.findings = db.collection<StoredFinding>('audit_findings');
    this.history = db.collection<History>('audit_finding_history');
    this.progress = db.collection<StoredProgress>('audit_progress');
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ startedAt: 1 }, { name: 'started_at' });
  }

  /** Registers the run once; a retried start finds it. */
  async start(run: AuditRun): Promise<AuditRun> {
    const { runId, ...rest } = run;
    try {
      await this.runs.insertOne({ _id: runId, ...rest });
      return run;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await this.run(runId))!;
    }
  }

  async run(runId: string): Promise<AuditRun | undefined> {
    const doc = await this.runs.findOne({ _id: runId });
    return doc ? toRun(doc) : undefined;
  }

  /** Newest first, `limit` at a time; `before` is the `startedAt` of the last run of the previous page. */
  async list(options: { before?: string; limit: number }): Promise<AuditRun[]> {
    const filter = options.before ? { startedAt: { $lt: options.before } } : {};
    return (await this.runs.find(filter).sort({ startedAt: -1, _id: -1 }).limit(options.limit).toArray()).map(toRun);
  }

  async recordCheck(runId: string, result: CheckResult): Promise<void> {
    const run = await this.runs.findOne({ _id: runId });
    if (!run) throw new Error(`audit run ${runId} is not registered`);
    const checks = [...run.checks.filter((c) => c.check !== result.check), result];
    await this.runs.updateOne({ _id: runId }, { $set: { checks } });
  }

  async finish(runId: string, status: RunStatus, finishedAt: string): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { status, finishedAt } });
  }

  async scanProgress<C>(runId: string, scan: string): Promise<ScanProgress<C>> {
    const [doc, reads] = await Promise.all([this.progress.findOne({ _id: `${runId}:${scan}` }), this.progress.findOne({ _id: readsId(runId, scan) })]);
    return { checkpoint: doc?.checkpoint as C | undefined, scanned: doc?.scanned ?? 0, read: reads?.read ?? 0, findings: doc?.findings ?? 0, done: doc?.done ?? false };
  }

  /**
   * Counts a batch as read before it is processed, so records a crash makes us read again are visible. The count has
   * a document of its own: it is written while the previous batch's checkpoint is, and FerretDB applies concurrent
   * updates of one document by reading and rewriting it, so the two would overwrite each other's increments.
   */
  async countRead(runId: string, scan: string, records: number): Promise<void> {
    await this.progress.updateOne({ _id: readsId(runId, scan) }, { $inc: { read: records }, $set: { updatedAt: new Date() } }, { upsert: true });
  }

  /** Moves the checkpoint past a batch whose findings are saved. */
  async advance(runId: string, scan: string, step: { checkpoint: unknown; scanned: number; findings: number; done?: boolean }): Promise<void> {
    await this.progress.updateOne(
      { _id: `${runId}:${scan}` },
      { $set: { checkpoint: step.checkpoint, done: step.done ?? false, updatedAt: new Date() }, $inc: { scanned: step.scanned, findings: step.findings } },
      { upsert: true },
    );
  }

  /**
   * Saves a batch of findings of a run, each linked to its previous occurrence. Saving the same batch again (a retry
   * after a crash) rewrites the same documents with the same links. The batch's histories are read in parallel and
   * written in one bulk call; only a history another run moved meanwhile is linked again one by one.
   */
  async saveFindings(runId: string, drafts: FindingDraft[], at: string): Promise<Finding[]> {
    const unique = [...new Map(drafts.map((d) => [findingKey(d), d]))];
    if (unique.length === 0) return [];
    const seen = await Promise.all(unique.map(([key]) => this.history.findOne({ _id: key })));
    const links = unique.map(([key], i) => linkFrom(runId, key, seen[i]));
    const writes = links.flatMap((link) => (link.write ? [link.write] : []));
    const lost = new Set<string>();
    if (writes.length > 0) {
      const result = await this.history.bulkWrite(writes, { ordered: false }).catch((err: { result?: unknown; writeErrors?: { index: number }[] }) => {
        // A duplicate insert: another run saw the same finding first. Those are linked again below.
        if (!err.writeErrors) throw err;
        for (const e of err.writeErrors) lost.add(historyId(writes[e.index]));
        return undefined;
      });
      // A compare-and-set update that matched nothing lost the same race.
      if (result && result.modifiedCount + result.insertedCount < writes.length) {
        const moved = await Promise.all(writes.map(async (w) => ((await this.history.findOne({ _id: historyId(w) }))?.lastRunId === runId ? undefined : historyId(w))));
        for (const id of moved) if (id) lost.add(id);
      }
    }
    const findings = await Promise.all(
      unique.map(async ([key, draft], i) => ({ ...draft, id: `${runId}:${key}`, runId, key, at, ...(lost.has(key) ? await this.link(runId, key) : links[i].link) })),
    );
    await this.findings.bulkWrite(
      findings.map(({ id, ...rest }) => ({ replaceOne: { filter: { _id: id }, replacement: rest, upsert: true } })),
      { ordered: false },
    );
    return findings;
  }

  /** Links one finding, retrying until its history is this run's (the slow path for races between runs). */
  private async link(runId: string, key: string): Promise<Link> {
    for (;;) {
      const next = linkFrom(runId, key, await this.history.findOne({ _id: key }));
      if (!next.write) return next.link;
      try {
        const result = await this.history.bulkWrite([next.write]);
        if (result.modifiedCount + result.insertedCount === 1) return next.link;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }

  async finding(id: string): Promise<Finding | undefined> {
    const doc = await this.findings.findOne({ _id: id });
    return doc ? toFinding(doc) : undefined;
  }

  /** A run's findings in id order, streamed. */
  async *findingsOf(runId: string, filter: { check?: CheckId; rule?: string } = {}): AsyncGenerator<Finding> {
    const query = { ...ofRun(runId), ...(filter.check && { check: filter.check }), ...(filter.rule && { rule: filter.rule }) };
    for await (const doc of this.findings.find(query).sort({ _id: 1 }).batchSize(1000)) yield toFinding(doc);
  }

  async linkCorrectiveAction(findingIds: string[], correctiveActionId: string): Promise<void> {
    if (findingIds.length === 0) return;
    await this.findings.bulkWrite(findingIds.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { correctiveActionId } } } })), { ordered: false });
  }
}

type Link = Pick<Finding, 'firstRunId' | 'previousRunId' | 'occurrences'>;
type HistoryWrite = AnyBulkWriteOperation<History>;

/** How a run's finding links to its history, and the write that makes the history this run's (none on a retry). */
function linkFrom(runId: string, key: string, seen: History | null): { link: Link; write?: HistoryWrite } {
  if (!seen) return { link: { firstRunId: runId, occurrences: 1 }, write: { insertOne: { document: { _id: key, firstRunId: runId, lastRunId: runId, occurrences: 1 } } } };
  if (seen.lastRunId === runId) return { link: { firstRunId: seen.firstRunId, occurrences: seen.occurrences, ...(seen.previousRunId && { previousRunId: seen.previousRunId }) } };
  // Replaced by `_id` alone: FerretDB v1 uses an index only for a filter that is exactly `{ _id }`. Two runs linking the
  // same finding at the same instant could both count it; schedules never overlap, so only an ad-hoc run beside a
  // scheduled one could.
  const next: History = { _id: key, firstRunId: seen.firstRunId, lastRunId: runId, previousRunId: seen.lastRunId, occurrences: seen.occurrences + 1 };
  return { link: { firstRunId: seen.firstRunId, previousRunId: seen.lastRunId, occurrences: next.occurrences }, write: { replaceOne: { filter: { _id: key }, replacement: next } } };
}

function historyId(write: HistoryWrite): string {
  return 'insertOne' in write ? (write.insertOne.document._id as string) : ((write as { replaceOne: { filter: { _id: string } } }).replaceOne.filter._id);
}

function toRun(doc: StoredRun): AuditRun {
  const { _id, ...rest } = doc;
  return { runId: _id, ...rest };
}

function toFinding(doc: StoredFinding): Finding {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}
