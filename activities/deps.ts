import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../platform/config';
import type { FieldCrypto } from '../platform/field-crypto';

/** What activity factories are built from; the worker creates it once per process. */
export interface ActivityDeps {
  config: Config;
  db: Db;
  crypto: FieldCrypto;
  logger: Logger;
}
