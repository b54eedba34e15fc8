import type { Collection, Db } from 'mongodb';
import type { ChangeOutcome, CleansingRun } from '../domain/audit/cleansing';
import type { FixKind } from '../domain/audit/types';
import type { FieldCrypto } from '../platform/field-crypto';

/**
 * Cleansing runs and the changes each previews. A change's values are personal data (an e-mail address before and
 * after its case was fixed), so both are stored encrypted; its id is the run, the subject and the field, so
 * previewing or applying again finds the same change.
 */
export type ChangeState = 'previewed' | 'applying' | 'applied' | Exclude<ChangeOutcome, 'apply'>;

export interface CleansingChange {
  cleansingId: string;
  subjectId: string;
  field: 'email' | 'phone' | 'country';
  fix: FixKind;
  findingId: string;
  before: string;
  after: string;
  state: ChangeState;
}

interface StoredChange extends Omit<CleansingChange, 'before' | 'after'> {
  _id: string;
  beforeEnc: string;
  afterEnc: string;
}

interface StoredRun extends CleansingRun {
  _id: string;
  changes: number;
}

const VALUE = 'cleansing_changes.value';

export class CleansingStore {
  private readonly runs: Collection<StoredRun>;
  private readonly changes: Collection<StoredChange>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.runs = db.collection<StoredRun>('cleansing_runs');
    this.changes = db.collection<StoredChange>('cleansing_changes');
  }

  async ensureIndexes(): Promise<void> {
    // Changes are found by their `_id` prefix (the cleansing id); runs by `_id`.
  }

  async saveRun(cleansingId: string, run: CleansingRun & { changes: number }): Promise<void> {
    await this.runs.replaceOne({ _id: cleansingId }, run, { upsert: true });
  }

  async run(cleansingId: string): Promise<(CleansingRun & { cleansingId: string; changes: number }) | undefined> {
    const doc = await this.runs.findOne({ _id: cleansingId });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { cleansingId: _id, ...rest };
  }

  /** Records the previewed changes (before any decision); previewing again (a retry) rewrites the same documents. */
  async preview(changes: Omit<CleansingChange, 'state'>[]): Promise<void> {
    if (changes.length === 0) return;
    await this.changes.bulkWrite(
      changes.map((change) => {
        const { before, after, ...rest } = change;
        const doc: StoredChange = { _id: changeId(change), ...rest, state: 'previewed', beforeEnc: this.crypto.encrypt(before, VALUE), afterEnc: this.crypto.encrypt(after, VALUE) };
        return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
      }),
      { ordered: false },
    );
  }

  /** One run's changes in id order, after `afterId`. */
  async *changesOf(cleansingId: string, options: { afterId?: string; limit?: number } = {}): AsyncGenerator<CleansingChange & { id: string }> {
    const lower = options.afterId && options.afterId > `${cleansingId}:` ? options.afterId : `${cleansingId}:`;
    let cursor = this.changes.find({ _id: { $gt: lower, $lt: `${cleansingId};` } }).sort({ _id: 1 });
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    for await (const doc of cursor) yield this.decode(doc);
  }

  async setState(change: Pick<CleansingChange, 'cleansingId' | 'subjectId' | 'field'>, state: ChangeState): Promise<void> {
    await this.changes.updateOne({ _id: changeId(change) }, { $set: { state } });
  }

  private decode(doc: StoredChange): CleansingChange & { id: string } {
    const { _id, beforeEnc, afterEnc, ...rest } = doc;
    return { id: _id, ...rest, before: this.crypto.decrypt(beforeEnc, VALUE), after: this.crypto.decrypt(afterEnc, VALUE) };
  }
}

function changeId(change: Pick<CleansingChange, 'cleansingId' | 'subjectId' | 'field'>): string {
  return `${change.cleansingId}:${change.subjectId}:${change.field}`;
}
