import type { Collection, Db, Filter } from 'mongodb';
import { canonicalJson } from '../domain/canonical-json';
import { ChainVerifier, GENESIS_HASH, chainEvent, type EvidenceEvent, type EvidenceInput, type VerificationResult } from '../domain/evidence';
import { isDuplicateKey } from '../platform/mongo';

/**
 * Appends to and reads the hash-chained evidence trail.
 *
 * Without multi-document transactions, two unique indexes make the chain safe for any number of concurrent writers:
 * - `_id` is the sequence number, so two writers that read the same head cannot both append after it: one insert
 *   wins, the other gets a duplicate-key error, re-reads the head and tries again. The chain never forks.
 * - `key` is the caller's idempotency key, so an activity that is retried after a crash finds its event already
 *   written and returns it instead of appending a second one.
 */
interface StoredEvent extends Omit<EvidenceEvent, 'seq'> {
  _id: number;
  /** The sequence number as fixed-width text: FerretDB answers equality on an indexed string from the index, while
   * a numeric `_id` lookup scans. Not part of the hash; `_id` stays the number that guards against forks. */
  sid: string;
}

export interface EvidenceQuery {
  from?: Date;
  to?: Date;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  afterSeq?: number;
  limit?: number;
}

const MAX_APPEND_ATTEMPTS = 200;
const SHARED = new WeakMap<Db, EvidenceStore>();
const MAX_BATCH = 200;

interface PendingAppend {
  input: EvidenceInput;
  resolve(event: EvidenceEvent): void;
  reject(err: unknown): void;
}

export class EvidenceStore {
  private readonly events: Collection<StoredEvent>;
  private indexesReady?: Promise<void>;
  private readonly pending: PendingAppend[] = [];
  private flushing = false;

  private readonly heads: Collection<{ _id: string; seq: number; hash: string }>;
  /** key → seq: the idempotency lookup, by `_id` so that every backend answers it from an index. */
  private readonly keys: Collection<{ _id: string; seq: number }>;

  /**
   * The process's appender for a database. Appenders in one process must share the group-commit queue: separate
   * ones race each other for the head, and every lost race walks the chain (lookups FerretDB answers by scanning).
   */
  static shared(db: Db): EvidenceStore {
    let store = SHARED.get(db);
    if (!store) SHARED.set(db, (store = new EvidenceStore(db)));
    return store;
  }

  constructor(db: Db) {
    this.events = db.collection<StoredEvent>('evidence_events');
    this.heads = db.collection('evidence_head');
    this.keys = db.collection('evidence_keys');
  }

  async ensureIndexes(): Promise<void> {
    await this.events.createIndex({ key: 1 }, { unique: true, name: 'key_unique' });
    await this.events.createIndex({ sid: 1 }, { name: 'sid' });
    await this.events.createIndex({ 'resource.type': 1, 'resource.id': 1 }, { name: 'resource' });
    await this.events.createIndex({ at: 1 }, { name: 'at' });
  }

  async append(input: EvidenceInput): Promise<EvidenceEvent> {
    // Idempotency rests on the unique `key` index: make sure it exists even if start-up did not create it, since
    // without it two racing retries of the same activity would both append.
    await this.ensureIndexesOnce();
    // Refuse what JSON cannot hold (NaN, Maps, undefined array items...) instead of letting the round trip below
    // quietly turn it into null or {}: the trail must record what the caller meant, or nothing.
    canonicalJson(input.data);
    // A JSON round trip drops undefined fields and turns dates into ISO strings, so what is hashed is exactly
    // what the database gives back later.
    const normalised: EvidenceInput = { ...input, data: JSON.parse(JSON.stringify(input.data)) };
    return new Promise((resolve, reject) => {
      this.pending.push({ input: normalised, resolve, reject });
      void this.flush();
    });
  }

  /**
   * Group commit: appends waiting in this process are chained and inserted together, one batch at a time. Writers in
   * one process then never race each other for the head, and the chain's rate is set by batches, not single inserts.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          const events = await this.appendBatch(batch.map((b) => b.input));
          batch.forEach((b, i) => b.resolve(events[i]));
        } catch (err) {
          batch.forEach((b) => b.reject(err));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async appendBatch(inputs: EvidenceInput[]): Promise<EvidenceEvent[]> {
    const results: (EvidenceEvent | undefined)[] = new Array(inputs.length);
    let repairing = false;
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
      const waiting = inputs.map((input, i) => ({ input, i })).filter(({ i }) => !results[i]);
      if (waiting.length === 0) break;
      const written = new Map<string, EvidenceEvent>();
      // Keys already in the trail (a retried activity): one lookup by `_id` each, which every backend serves from
      // its primary index.
      const claims = await Promise.all([...new Set(waiting.map((w) => w.input.key))].map((key) => this.keys.findOne({ _id: key })));
      for (const claim of claims) {
        const event = claim && (await this.bySeq(claim.seq));
        if (event) written.set(event.key, event);
      }
      // Chain what is not written yet, once per key (a key twice in one batch is one event).
      const fresh: EvidenceEvent[] = [];
      let previous = await this.tip({ walk: repairing });
      for (const { input } of waiting) {
        if (written.has(input.key)) continue;
        const event = chainEvent(input, previous);
        written.set(input.key, event);
        fresh.push(event);
        previous = event;
      }
      try {
        if (fresh.length > 0) {
          await this.events.insertMany(fresh.map(toStored), { ordered: true });
          await this.claim(fresh);
          await this.moveHead(fresh[fresh.length - 1]);
        }
        for (const { input, i } of waiting) results[i] = written.get(input.key);
        repairing = false;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another process appended first, or a writer died between writing an event and its claim or the head
        // pointer. The slow path finds what did get in by scanning for it, claims it, and walks the head forward.
        await this.repair(fresh);
        repairing = true;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (attempt + 1))));
      }
    }
    if (results.some((r) => r === undefined)) throw new Error(`could not append ${inputs.length} evidence events after ${MAX_APPEND_ATTEMPTS} attempts`);
    return results as EvidenceEvent[];
  }

  /** Records which seq each key got; a claim already there (a racing repair) is the same fact. */
  private async claim(events: EvidenceEvent[]): Promise<void> {
    try {
      await this.keys.insertMany(events.map((e) => ({ _id: e.key, seq: e.seq })), { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  private async repair(attempted: EvidenceEvent[]): Promise<void> {
    const found: EvidenceEvent[] = [];
    for (const event of attempted) {
      const doc = await this.events.findOne({ key: event.key });
      if (doc) found.push(fromStored(doc));
    }
    if (found.length > 0) {
      await this.claim(found);
      await this.moveHead(found.reduce((a, b) => (b.seq > a.seq ? b : a)));
    }
  }

  /**
   * The latest event. A pointer document names it, so finding the head costs a few lookups rather than a sort over
   * the whole trail; the pointer may lag behind a writer that died between appending and moving it, so the events
   * after it are walked (each insert claimed its seq, so there are no gaps to skip).
   */
  async head(): Promise<EvidenceEvent | undefined> {
    const pointer = await this.tip({ walk: false });
    // A pointer naming an event that is gone (a deleted tail) says nothing: the real end is then found from the start.
    let head = pointer ? await this.bySeq(pointer.seq) : undefined;
    for (;;) {
      const next = await this.bySeq((head?.seq ?? 0) + 1);
      if (!next) return head;
      head = next;
    }
  }

  /**
   * Where the next event hangs from. Appends trust the pointer (one lookup by `_id`): if it lags, their insert
   * collides on the seq and they come back with `walk`, which follows the events past it. On FerretDB only `_id`
   * equality is served from an index, so the walk (lookups by seq) is kept off the common path.
   */
  private async tip(options: { walk: boolean }): Promise<Pick<EvidenceEvent, 'seq' | 'hash'> | undefined> {
    const pointer = await this.heads.findOne({ _id: 'head' });
    let tip: Pick<EvidenceEvent, 'seq' | 'hash'> | undefined = pointer ? { seq: pointer.seq, hash: pointer.hash } : undefined;
    if (!options.walk) return tip;
    for (;;) {
      const next = await this.bySeq((tip?.seq ?? 0) + 1);
      if (!next) return tip;
      tip = next;
    }
  }

  /** Moves the pointer forward only: a writer that appended further already moved it past this event. */
  private async moveHead(event: EvidenceEvent): Promise<void> {
    try {
      await this.heads.updateOne({ _id: 'head', seq: { $lt: event.seq } }, { $set: { seq: event.seq, hash: event.hash } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async bySeq(seq: number): Promise<EvidenceEvent | undefined> {
    const found = await this.events.findOne({ sid: seqText(seq) });
    return found && found._id === seq ? fromStored(found) : undefined;
  }

  async byKey(key: string): Promise<EvidenceEvent | undefined> {
    const claim = await this.keys.findOne({ _id: key });
    if (claim) return this.bySeq(claim.seq);
    // An event written before its claim (a writer died in between, or the trail predates claims).
    const found = await this.events.findOne({ key });
    return found ? fromStored(found) : undefined;
  }

  /** Events matching the filters in sequence order, for listing and export. */
  async *find(query: EvidenceQuery): AsyncGenerator<EvidenceEvent> {
    const filter: Filter<StoredEvent> = {};
    if (query.from || query.to) filter.at = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    if (query.resourceType) filter['resource.type'] = query.resourceType;
    if (query.resourceId) filter['resource.id'] = query.resourceId;
    if (query.action) filter.action = query.action;
    if (query.afterSeq !== undefined) filter._id = { $gt: query.afterSeq };
    let cursor = this.events.find(filter).sort({ _id: 1 });
    if (query.limit !== undefined) {
      // MongoDB reads limit(0) as "no limit" and a negative limit as a single batch: neither is what was asked.
      if (query.limit <= 0) return;
      cursor = cursor.limit(query.limit);
    }
    for await (const doc of cursor) yield fromStored(doc);
  }

  /**
   * Verifies the chain from `fromSeq` (default: the first event) to `toSeq` (default: the head) in one pass.
   * An `anchor` — a sequence number and hash an auditor recorded earlier — also catches a deleted tail.
   */
  async verify(options: { fromSeq?: number; toSeq?: number; anchor?: { seq: number; hash: string } } = {}): Promise<VerificationResult> {
    const fromSeq = options.fromSeq ?? 1;
    let start = { seq: 0, hash: GENESIS_HASH };
    if (fromSeq > 1) {
      const before = await this.bySeq(fromSeq - 1);
      if (!before) {
        const detail = `event ${fromSeq - 1}, which the range hangs from, is missing`;
        return { ok: false, checked: 0, firstBreak: { seq: fromSeq - 1, reason: 'sequence-gap', detail } };
      }
      start = { seq: before.seq, hash: before.hash };
    }
    const verifier = new ChainVerifier(start);
    const range: Filter<StoredEvent> = { _id: { $gte: fromSeq, ...(options.toSeq !== undefined && { $lte: options.toSeq }) } };
    for await (const doc of this.events.find(range).sort({ _id: 1 }).batchSize(1000)) {
      if (!verifier.add(fromStored(doc))) break;
    }
    if (options.anchor) verifier.checkAnchor(options.anchor, await this.bySeq(options.anchor.seq));
    return verifier.result();
  }

  private async ensureIndexesOnce(): Promise<void> {
    this.indexesReady ??= this.ensureIndexes().catch((err: unknown) => {
      this.indexesReady = undefined;
      throw err;
    });
    await this.indexesReady;
  }
}

function toStored(event: EvidenceEvent): StoredEvent {
  const { seq, ...rest } = event;
  return { _id: seq, sid: seqText(seq), ...rest };
}

function seqText(seq: number): string {
  return String(seq).padStart(15, '0');
}

/** Tolerates documents edited out of shape (a field removed), so that verification reports them instead of crashing. */
function fromStored(doc: StoredEvent): EvidenceEvent {
  const { _id, key, at, actor, action, resource, data, prevHash, hash } = doc;
  return {
    seq: _id,
    key,
    at,
    actor: { id: actor?.id, type: actor?.type },
    action,
    resource: { type: resource?.type, id: resource?.id },
    data,
    prevHash,
    hash,
  };
}
