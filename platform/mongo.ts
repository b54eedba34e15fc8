import { MongoClient, type Db } from 'mongodb';
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

/** True when the error is a unique-index violation (the signal idempotent writes rely on). */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: { code?: unknown }[] };
  // A bulk insert reports the violation on its failed write.
  return e.code === 11000 || e.writeErrors?.[0]?.code === 11000;
}
