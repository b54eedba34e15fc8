import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Config } from '../../platform/config';
import { FieldCrypto } from '../../platform/field-crypto';
import { LinkSigner } from '../../platform/links';
import { publicUrl } from '../../platform/config';
import { loadKeyring, type Keyring } from '../../platform/keyring';
import { createLogger } from '../../platform/logger';
import { connectDatabase, type Database } from '../../platform/mongo';
import { connectClient } from '../../platform/temporal';
import { createStores, ensureIndexes, type Stores } from '../../store';
import type { Role } from '../../domain/roles';
import { buildApp, type App } from '../../api/app';
import { createWorker, type RunningWorker } from '../../worker/create';
import { testConfig } from './stack';

/**
 * The API built in-process over the real Temporal server and FerretDB, with tokens for any role. Requests go
 * through `app.inject`, which runs the full Fastify pipeline (parsing, hooks, validation, serialisation).
 */
export interface TestApi {
  config: Config;
  keyring: Keyring;
  app: App;
  stores: Stores;
  database: Database;
  temporal: Client;
  tokenFor(...roles: Role[]): Promise<{ token: string; principalId: string }>;
  startWorker(): Promise<RunningWorker & { done: Promise<void> }>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export async function startTestApi(overrides: Partial<Config> = {}, logDestination?: NodeJS.WritableStream): Promise<TestApi> {
  const config = testConfig(overrides);
  if (!runtimeInstalled) {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    } catch {
      // Already installed by an earlier test file in this process.
    }
    runtimeInstalled = true;
  }
  const keyring = loadKeyring(config);
  const logger = createLogger({ level: logDestination ? 'info' : config.logLevel, name: 'test' }, logDestination as never);
  const database = await connectDatabase(config);
  const crypto = new FieldCrypto(keyring);
  const stores = createStores(database.db, crypto);
  await ensureIndexes(stores);
  const temporal = await connectClient(config, keyring);
  const app = await buildApp({ config, logger, db: database.db, crypto, temporal, stores, links: new LinkSigner(keyring, publicUrl(config)) });
  await app.ready();
  const workers: (RunningWorker & { done: Promise<void> })[] = [];
  return {
    config,
    keyring,
    app,
    stores,
    database,
    temporal,
    async tokenFor(...roles) {
      const principal = await stores.principals.create({ kind: 'person', name: `Test ${roles.join('+') || 'nobody'}`, roles, createdBy: 'test' });
      const { token } = await stores.apiKeys.create({ principalId: principal.id, label: 'test', createdBy: 'test' });
      return { token, principalId: principal.id };
    },
    async startWorker() {
      const running = await createWorker({ config, keyring, logger });
      const started = { ...running, done: running.run() };
      workers.push(started);
      return started;
    },
    async close() {
      for (const w of workers) {
        w.shutdown();
        await w.done;
      }
      await app.close();
      await temporal.connection.close();
      await database.db.dropDatabase();
      await database.close();
    },
  };
}
