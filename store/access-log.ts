import { ObjectId, type Collection, type Db, type Filter, type FindCursor } from 'mongodb';
import type { FieldCrypto } from '../platform/field-crypto';

/**
 * The data-access log: one entry per request to a protected route, whatever its outcome. Client addresses are
 * personal data, so they are stored encrypted. Ids are ObjectIds, which sort by time, for cursor pagination.
 */
export type AccessOutcome = 'allowed' | 'unauthenticated' | 'forbidden' | 'rejected' | 'failed';

export interface AccessLogEntry {
  id: string;
  at: Date;
  requestId: string;
  principalId?: string;
  roles: string[];
  method: string;
  route: string;
  resourceIds: string[];
  status: number;
  outcome: AccessOutcome;
  clientAddress: string;
}

interface StoredEntry extends Omit<AccessLogEntry, 'id' | 'clientAddress'> {
  _id: ObjectId;
  clientAddressEnc: string;
}

export interface AccessLogQuery {
  principalId?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
  /** Cursor: the id of the last entry of the previous page (pages go newest first). */
  before?: string;
  limit: number;
}

const MAX_BATCH = 500;

export class AccessLogStore {
  private readonly entries: Collection<StoredEntry>;
  private readonly queue: { doc: StoredEntry; resolve(): void; reject(err: unknown): void }[] = [];
  private flushing?: Promise<void>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.entries = db.collection<StoredEntry>('access_log');
  }

  async ensureIndexes(): Promise<void> {
    await this.entries.createIndex({ principalId: 1, _id: -1 }, { name: 'principal' });
    await this.entries.createIndex({ resourceIds: 1, _id: -1 }, { name: 'resource' });
    await this.entries.createIndex({ at: 1 }, { name: 'at' });
  }

  /**
   * Resolves once the entry is written. Entries that arrive while a write is under way go together in the next one
   * (group commit): under load one insert carries many requests' entries instead of each paying for its own.
   */
  record(entry: Omit<AccessLogEntry, 'id'>): Promise<void> {
    const { clientAddress, ...rest } = entry;
    const doc: StoredEntry = { _id: new ObjectId(), ...rest, clientAddressEnc: this.crypto.encrypt(clientAddress, 'access_log.clientAddress') };
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when every entry recorded so far is written (or has failed): for shutdown. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          // Unordered: one bad entry does not hold back the others; each learns its own outcome.
          await this.entries.insertMany(batch.map((b) => b.doc), { ordered: false });
          for (const b of batch) b.resolve();
        } catch (err) {
          const failed = new Set((err as { writeErrors?: { index: number }[] }).writeErrors?.map((e) => e.index) ?? batch.map((_, i) => i));
          batch.forEach((b, i) => (failed.has(i) ? b.reject(err) : b.resolve()));
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Entries from `from` on in time order (ObjectIds sort by time), without client addresses: for access audits. */
  scanSince(from: Date): FindCursor<Pick<AccessLogEntry, 'id' | 'at' | 'principalId' | 'method' | 'route' | 'outcome'>> {
    return this.entries
      .find({ _id: { $gte: ObjectId.createFromTime(Math.floor(from.getTime() / 1000)) } }, { projection: { at: 1, principalId: 1, method: 1, route: 1, outcome: 1 } })
      .sort({ _id: 1 })
      .batchSize(1000)
      .map((doc) => ({ id: doc._id.toHexString(), at: doc.at, principalId: doc.principalId, method: doc.method, route: doc.route, outcome: doc.outcome }));
  }

  async query(query: AccessLogQuery): Promise<AccessLogEntry[]> {
    const filter: Filter<StoredEntry> = {};
    if (query.principalId) filter.principalId = query.principalId;
    if (query.resourceId) filter.resourceIds = query.resourceId;
    if (query.from || query.to) filter.at = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    if (query.before) filter._id = { $lt: new ObjectId(query.before) };
    const docs = await this.entries.find(filter).sort({ _id: -1 }).limit(query.limit).toArray();
    return docs.map(({ _id, clientAddressEnc, ...rest }) => ({
      id: _id.toHexString(),
      ...rest,
      clientAddress: this.crypto.decrypt(clientAddressEnc, 'access_log.clientAddress'),
    }));
  }
}
