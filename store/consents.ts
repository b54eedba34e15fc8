import type { Collection, Db, Filter } from 'mongodb';
import { applyChange, type CaptureMethod, type ConsentChange, type ConsentEventType, type ConsentState, type ConsentStatus, type LawfulBasis } from '../domain/consent';
import type { ConsentType } from '../domain/consent-policy';
import type { Actor } from '../domain/evidence';
import type { FieldCrypto } from '../platform/field-crypto';
import { isDuplicateKey } from '../platform/mongo';
import { VersionClaims } from './version-claims';

/**
 * Consent records. `consent_events` is the append-only record of everything that happened (the proof); `consents`
 * holds one document per subject × purpose with the current state, which answers "may we contact?" in one read.
 *
 * No transactions: the event is written first under its deterministic id (a retry finds it), then the state
 * document is moved on with optimistic concurrency on a version number, so two changes never overwrite each other.
 */
export interface ConsentEvent {
  id: string;
  subjectId: string;
  purposeId: string;
  type: ConsentEventType;
  at: Date;
  cycle: number;
  consentType: ConsentType;
  lawfulBasis: LawfulBasis;
  noticeVersionId: string;
  noticeTextHash: string;
  method: CaptureMethod;
  source?: { formId?: string; url?: string; importId?: string; line?: number };
  actor: Actor;
  /** Proof of an affirmative act: what was ticked or clicked, never pre-ticked. */
  proof?: { element: string; preTicked: false; action: string };
  ipAddress?: string;
  userAgent?: string;
  expiresAt: Date | null;
  evidence?: { seq: number; hash: string };
}

interface StoredEvent extends Omit<ConsentEvent, 'id' | 'ipAddress' | 'userAgent'> {
  _id: string;
  ipEnc?: string;
  ipHash?: string;
  userAgentEnc?: string;
}

interface StoredState extends ConsentState {
  _id: string;
  version: number;
}

export interface EventQuery {
  subjectId?: string;
  purposeId?: string;
  type?: ConsentEventType;
  from?: Date;
  to?: Date;
  afterId?: string;
  limit?: number;
}

export function consentId(subjectId: string, purposeId: string): string {
  return `${subjectId}:${purposeId}`;
}

export class ConsentStore {
  private readonly events: Collection<StoredEvent>;
  private readonly states: Collection<StoredState>;
  private readonly claims: VersionClaims<ConsentChange>;
  /** The version each state this store read was at, so a write can build on what the caller just read. */
  private readonly versions = new WeakMap<ConsentState, number>();

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.events = db.collection<StoredEvent>('consent_events');
    this.states = db.collection<StoredState>('consents');
    this.claims = new VersionClaims(db, 'consents');
  }

  async ensureIndexes(): Promise<void> {
    await this.events.createIndex({ subjectId: 1, at: 1 }, { name: 'subject_time' });
    await this.events.createIndex({ purposeId: 1, at: 1 }, { name: 'purpose_time' });
    await this.states.createIndex({ purposeId: 1, status: 1 }, { name: 'purpose_status' });
  }

  async state(subjectId: string, purposeId: string): Promise<ConsentState | undefined> {
    const doc = await this.states.findOne({ _id: consentId(subjectId, purposeId) });
    return doc ? this.versioned(doc) : undefined;
  }

  private versioned(doc: StoredState): ConsentState {
    const state = toState(doc);
    this.versions.set(state, doc.version);
    return state;
  }

  async statesOf(subjectId: string): Promise<ConsentState[]> {
    return (await this.states.find({ subjectId }).toArray()).map(toState);
  }

  /**
   * Records an event and moves the state on. Idempotent by `event.id`: a repeated call returns the recorded event
   * and the current state without applying it twice. Throws ConsentTransitionError when the change is not allowed.
   */
  async record(event: ConsentEvent, change: ConsentChange, known: { current?: ConsentState | null; newId?: boolean } = {}): Promise<{ event: ConsentEvent; state: ConsentState; duplicate: boolean }> {
    const ids = { subjectId: event.subjectId, purposeId: event.purposeId };
    // A freshly drawn random id cannot have been recorded before: no need to look.
    const existing = known.newId ? null : await this.events.findOne({ _id: event.id });
    if (existing) {
      const current = await this.state(event.subjectId, event.purposeId);
      const applied = current && (current.lastEventId === event.id || new Date(current.updatedAt) > existing.at);
      if (applied) return { event: this.decode(existing), state: current, duplicate: true };
      // A crash after the event was written but before the state moved: finish the job.
      return { event: this.decode(existing), state: await this.advance(ids, change), duplicate: true };
    }
    // Check the transition before writing anything, so a refused change leaves no trace.
    // `known.current` is the state the caller just read (null: none), saving a read on the hot path.
    applyChange(known.current !== undefined ? (known.current ?? undefined) : await this.state(event.subjectId, event.purposeId), ids, change);
    try {
      await this.events.insertOne(this.encode(event));
    } catch (err) {
      if (isDuplicateKey(err)) return this.record(event, change, { current: known.current });
      throw err;
    }
    try {
      return { event, state: await this.advance(ids, change, known.current), duplicate: false };
    } catch (err) {
      // The state moved on concurrently and this change no longer applies: it never happened.
      await this.events.deleteOne({ _id: event.id });
      throw err;
    }
  }

  /**
   * Moves the state on. Each version after the first is claimed before it is written (see VersionClaims), with the
   * change that makes it: a withdrawal racing a renewal is never lost, even on FerretDB. A claim held by another
   * change whose writer stopped before writing is finished here, then this change is tried again on top.
   *
   * `known` is the state the caller read just before (null: none): the first attempt builds on it instead of reading
   * again; if it is stale, the claim or the insert collides and the loop re-reads.
   */
  private async advance(ids: { subjectId: string; purposeId: string }, change: ConsentChange, known?: ConsentState | null): Promise<ConsentState> {
    const _id = consentId(ids.subjectId, ids.purposeId);
    const knownVersion = known ? this.versions.get(known) : known === null ? 0 : undefined;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const doc = attempt === 0 && knownVersion !== undefined ? (known ? { ...known, _id, version: knownVersion } : null) : await this.states.findOne({ _id });
      const current = doc ? toState(doc) : undefined;
      const next = applyChange(current, ids, change);
      if (!doc) {
        try {
          await this.states.insertOne({ ...next, _id, version: 1 });
          return next;
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
      }
      const holder = (await this.claims.claim(_id, doc.version + 1, change)).write;
      // The claim is this change's when it won, or when an earlier attempt for the same event won it and stopped.
      if (holder.eventId === change.eventId) {
        await this.writeVersion(doc, next);
        return next;
      }
      await this.writeVersion(doc, applyChange(current, ids, holder));
    }
    throw new Error(`consent ${_id} is changing too fast to record`);
  }

  /** Writes the claimed version after `base`. Idempotent: finishing a claim twice writes the same document twice. */
  private async writeVersion(base: StoredState, next: ConsentState): Promise<void> {
    const { confirmBy, endedAt, ...rest } = next;
    await this.states.updateOne(
      { _id: base._id, version: base.version },
      {
        $set: { ...rest, ...(confirmBy && { confirmBy }), ...(endedAt && { endedAt }), version: base.version + 1 },
        ...((!confirmBy || !endedAt) && { $unset: { ...(!confirmBy && { confirmBy: '' }), ...(!endedAt && { endedAt: '' }) } }),
      },
    );
  }

  async attachEvidence(eventId: string, evidence: { seq: number; hash: string }): Promise<void> {
    await this.events.updateOne({ _id: eventId }, { $set: { evidence } });
  }

  async event(id: string): Promise<ConsentEvent | undefined> {
    const doc = await this.events.findOne({ _id: id });
    return doc ? this.decode(doc) : undefined;
  }

  async *findEvents(query: EventQuery): AsyncGenerator<ConsentEvent> {
    const filter: Filter<StoredEvent> = {};
    if (query.subjectId) filter.subjectId = query.subjectId;
    if (query.purposeId) filter.purposeId = query.purposeId;
    if (query.type) filter.type = query.type;
    if (query.from || query.to) filter.at = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    if (query.afterId) filter._id = { $gt: query.afterId };
    let cursor = this.events.find(filter).sort(query.subjectId ? { at: 1, _id: 1 } : { _id: 1 });
    if (query.limit !== undefined) cursor = cursor.limit(query.limit);
    for await (const doc of cursor) yield this.decode(doc);
  }

  async *findStates(query: { purposeId?: string; status?: ConsentStatus; after?: string }): AsyncGenerator<ConsentState> {
    const filter: Filter<StoredState> = {};
    if (query.purposeId) filter.purposeId = query.purposeId;
    if (query.status) filter.status = query.status;
    if (query.after) filter._id = { $gt: query.after };
    for await (const doc of this.states.find(filter).sort({ _id: 1 })) yield toState(doc);
  }

  /** Counts per purpose and status. */
  async counts(): Promise<{ purposeId: string; status: ConsentStatus; count: number }[]> {
    const rows = await this.states.aggregate<{ _id: { purposeId: string; status: ConsentStatus }; count: number }>([{ $group: { _id: { purposeId: '$purposeId', status: '$status' }, count: { $sum: 1 } } }]).toArray();
    return rows.map((r) => ({ purposeId: r._id.purposeId, status: r._id.status, count: r.count })).sort((a, b) => a.purposeId.localeCompare(b.purposeId) || a.status.localeCompare(b.status));
  }

  private encode(event: ConsentEvent): StoredEvent {
    const { id, ipAddress, userAgent, ...rest } = event;
    return {
      _id: id,
      ...rest,
      ...(ipAddress && { ipEnc: this.crypto.encrypt(ipAddress, 'consent_events.ip'), ipHash: this.crypto.blindIndex(ipAddress, 'ip') }),
      ...(userAgent && { userAgentEnc: this.crypto.encrypt(userAgent, 'consent_events.userAgent') }),
    };
  }

  private decode(doc: StoredEvent): ConsentEvent {
    const { _id, ipEnc, ipHash: _ipHash, userAgentEnc, ...rest } = doc;
    return {
      id: _id,
      ...rest,
      ...(ipEnc && { ipAddress: this.crypto.decrypt(ipEnc, 'consent_events.ip') }),
      ...(userAgentEnc && { userAgent: this.crypto.decrypt(userAgentEnc, 'consent_events.userAgent') }),
    };
  }
}

function toState(doc: StoredState): ConsentState {
  const { _id: _unused, version: _version, ...state } = doc;
  return state;
}
