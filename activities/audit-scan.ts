import type { FindingDraft } from '../domain/audit/types';
import type { AuditStore } from '../store/audits';

/**
 * A resumable scan: one pass over a collection in a stable order, a batch at a time. After each batch its findings
 * are saved and then the checkpoint moves past it, so a scan restarted after a crash re-reads at most the batch that
 * was in flight — never from zero — and re-saving that batch's findings rewrites the same documents.
 */
export interface Scan<Doc, Checkpoint> {
  /** Names the scan's progress record within the run, e.g. `data-accuracy` or `duplicates.email`. */
  name: string;
  /** Documents after the checkpoint (all of them without one), in the order the checkpoint follows. */
  open(checkpoint: Checkpoint | undefined): AsyncIterable<Doc>;
  inspect(batch: Doc[]): FindingDraft[] | Promise<FindingDraft[]>;
  /** Where to resume after the last document inspected (scans with state include it). */
  checkpoint(last: Doc): Checkpoint;
  /** Findings that only the end of the scan reveals (the last group of duplicates, say). */
  finish?(): FindingDraft[];
}

export interface ScanTotals {
  scanned: number;
  read: number;
  findings: number;
}

export const BATCH_SIZE = 1000;

/** `alive` is told after every batch (an activity heartbeats with it). */
/**
 * Reading, checking and writing overlap: while one batch's findings and checkpoint are written, the next batch is
 * inspected and the one after it read. Writes stay in batch order (a checkpoint never passes findings not yet saved)
 * and at most one batch's writes are in flight, so memory stays bounded. `alive` is told after every batch (an
 * activity heartbeats with it).
 */
export async function runScan<Doc, C>(audits: AuditStore, runId: string, scan: Scan<Doc, C>, now: () => string, alive: (progress: unknown) => void): Promise<ScanTotals> {
  let progress = await audits.scanProgress<C>(runId, scan.name);
  if (!progress.done) {
    let checkpoint = progress.checkpoint;
    let writing: Promise<void> = Promise.resolve();
    for await (const batch of prefetchBatches(scan.open(progress.checkpoint), BATCH_SIZE)) {
      // Counted before anything of the batch is saved: a batch re-read after a crash shows in `read`.
      const [drafts] = await Promise.all([scan.inspect(batch), audits.countRead(runId, scan.name, batch.length)]);
      const batchCheckpoint = scan.checkpoint(batch[batch.length - 1]);
      await writing;
      writing = (async () => {
        const findings = await audits.saveFindings(runId, drafts, now());
        await audits.advance(runId, scan.name, { checkpoint: batchCheckpoint, scanned: batch.length, findings: findings.length });
        alive({ scan: scan.name, checkpoint: batchCheckpoint });
      })();
      // Awaited before the next batch's writes; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
      checkpoint = batchCheckpoint;
    }
    await writing;
    const closing = await audits.saveFindings(runId, scan.finish?.() ?? [], now());
    await audits.advance(runId, scan.name, { checkpoint, scanned: 0, findings: closing.length, done: true });
    progress = await audits.scanProgress<C>(runId, scan.name);
  }
  return { scanned: progress.scanned, read: progress.read, findings: progress.findings };
}

/**
 * Batches from a source, reading the next batch while the caller works on the current one: the database decodes
 * documents while this process decrypts and inspects, instead of each waiting for the other. At most two batches are
 * held, so memory stays bounded whatever the collection's size.
 */
export async function* prefetchBatches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  const read = async (): Promise<T[]> => {
    const batch: T[] = [];
    while (batch.length < size) {
      const next = await iterator.next();
      if (next.done) break;
      batch.push(next.value);
    }
    return batch;
  };
  let pending = read();
  try {
    for (;;) {
      const batch = await pending;
      if (batch.length === 0) return;
      pending = read();
      yield batch;
    }
  } finally {
    // A consumer that stops early (an error while saving, say) must not leave the cursor open on the server.
    await pending.catch(() => undefined);
    await iterator.return?.();
  }
}

/** Where a scan in storage order stands: how many documents it has passed, and the id of the last one. */
export interface StoragePosition {
  position: number;
  lastId: string;
}

/**
 * Documents in the server's storage order, resuming after a position. Storage order costs no sort, but it is an
 * order, not a key, so a resume checks it: it skips `position - 1` documents and expects the next to be the last one
 * inspected. If records before it were deleted meanwhile, that document is looked for from the start; if it is gone
 * too, the scan starts over (findings are saved under deterministic ids, so inspecting a record again adds none).
 * `at` is told the position the documents continue from, before the first of them.
 */
export async function* resumeInStorageOrder<D extends { _id: string }>(open: (skip: number) => AsyncIterable<D>, from: StoragePosition | undefined, at: (position: number) => void): AsyncGenerator<D> {
  if (from && from.position > 0) {
    const skipped = open(from.position - 1)[Symbol.asyncIterator]();
    const resumed = await continueAfter(skipped, from.lastId, 1);
    if (resumed !== undefined) {
      at(from.position);
      yield* { [Symbol.asyncIterator]: () => skipped };
      return;
    }
    const walk = open(0)[Symbol.asyncIterator]();
    const found = await continueAfter(walk, from.lastId, Infinity);
    if (found !== undefined) {
      at(found);
      yield* { [Symbol.asyncIterator]: () => walk };
      return;
    }
  }
  at(0);
  yield* open(0);
}

/** Reads up to `limit` documents looking for `id`; the count read when found (the iterator continues after it). */
async function continueAfter<D extends { _id: string }>(iterator: AsyncIterator<D>, id: string, limit: number): Promise<number | undefined> {
  try {
    for (let read = 1; read <= limit; read += 1) {
      const next = await iterator.next();
      if (next.done) return undefined;
      if (next.value._id === id) return read;
    }
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  await iterator.return?.();
  return undefined;
}
