import type { Logger } from 'pino';
import type { Config } from '../platform/config';
import { FieldCrypto } from '../platform/field-crypto';
import { LinkSigner } from '../platform/links';
import { publicUrl } from '../platform/config';
import type { Keyring } from '../platform/keyring';
import { connectDatabase } from '../platform/mongo';
import { connectClient } from '../platform/temporal';
import { createStores, ensureIndexes } from '../store';
import { buildApp, type App } from './app';
import { ensureBootstrapAdmin } from './bootstrap-admin';

export interface RunningApi {
  app: App;
  url: string;
  /** The first admin's API key when this start created it; shown once, never logged. */
  bootstrapToken?: string;
  close(): Promise<void>;
}

/** Connects to the database and Temporal, builds the API and starts listening. */
export async function startApi(options: { config: Config; keyring: Keyring; logger: Logger }): Promise<RunningApi> {
  const { config, keyring, logger } = options;
  const database = await connectDatabase(config);
  const crypto = new FieldCrypto(keyring);
  const stores = createStores(database.db, crypto);
  await ensureIndexes(stores);
  const bootstrapToken = await ensureBootstrapAdmin(stores);
  const temporal = await connectClient(config, keyring);
  const app = await buildApp({ config, logger, db: database.db, crypto, temporal, stores, links: new LinkSigner(keyring, publicUrl(config)) });
  const address = await app.listen({ host: config.apiHost, port: config.apiPort });
  return {
    app,
    url: address,
    bootstrapToken,
    async close() {
      // Stop accepting, let in-flight requests finish, then release connections.
      await app.close();
      await temporal.connection.close();
      await database.close();
    },
  };
}
