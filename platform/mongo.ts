import { MongoClient, type Collection, type Db, type Filter, type WithoutId } from 'mongodb';
import type { Config } from './config';

export interface Database {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectDatabase(config: Pick<Config, 'mongoUri' | 'mongoDb'>): Promise<Database> {
  if (!config.mongoUri) throw new Error('MONGODB_URI is not set');
  const client = new MongoClient(config.mongoUri, { serverSelectionTimeoutMS: 10_000, appName: 'complyflow', ignoreUndefined: true, maxPoolSize: 16 });
  await client.connect();
  const db = client.db(config.mongoDb);
  return { client, db, close: () => client.close() };
}

/**
 * Writes `doc` as the document `id` unless the stored one has the same or a later `version`; 'stale' when it does.
 * For documents one workflow writes, its saves awaited in order: the version only turns away a retried, older save.
 *
 * The version is compared after a lookup by `_id` rather than inside the update's filter: FerretDB v1 serves a filter
 * from an index only when it is exactly `{ _id }`, and anything more scans the collection on every save. The gap
 * between lookup and write matters only to a timed-out attempt still running beside its retry.
 */
export async function saveIfNewer<T extends { _id: string; version: number }>(collection: Collection<T>, doc: T): Promise<'saved' | 'stale'> {
  const stored = await collection.findOne({ _id: doc._id } as Filter<T>, { projection: { version: 1 } });
  if (stored && (stored as { version?: number }).version !== undefined && (stored as { version: number }).version >= doc.version) return 'stale';
  try {
    await collection.replaceOne({ _id: doc._id } as Filter<T>, doc as WithoutId<T>, { upsert: true });
    return 'saved';
  } catch (err) {
    // Two first saves raced to insert: the other one is there.
    if (isDuplicateKey(err)) return 'stale';
    throw err;
  }
}

/** True when the error is a unique-index violation (the signal idempotent writes rely on). */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: { code?: unknown }[] };
  // A bulk insert reports the violation on its failed write.
  return e.code === 11000 || e.writeErrors?.[0]?.code === 11000;
}
