import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { loadConfig, type Config } from '../../platform/config';
import { connectDatabase } from '../../platform/mongo';

/**
 * Helpers for integration tests. The global setup started the servers and put their addresses in the environment;
 * each test file gets its own database and task queue so files never see each other's data.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig(process.env);
  const suffix = randomUUID().slice(0, 8);
  return { ...base, mongoDb: `test_${suffix}`, taskQueue: `test-${suffix}`, ...overrides };
}


/** Polls until `probe` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves as `promise` does, or fails naming `what` once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A database of the test's own on the shared FerretDB, for store tests; `close` drops it. */
export async function scratchDatabase(name: string): Promise<{ config: Config; db: Db; close(): Promise<void> }> {
  const config = testConfig();
  const database = await connectDatabase(config);
  const db = database.client.db(`${config.mongoDb}_${name}`);
  return {
    config,
    db,
    async close() {
      await db.dropDatabase();
      await database.close();
    },
  };
}
