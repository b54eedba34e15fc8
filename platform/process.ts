import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config';
import { loadKeyring, type Keyring } from './keyring';
import { createLogger } from './logger';

export interface ProcessContext {
  config: Config;
  keyring: Keyring;
  logger: Logger;
}

/** Start-up for every entry point: configuration validated first, with every problem listed, then keys and logger. */
export function startProcess(name: string, env: NodeJS.ProcessEnv = process.env): ProcessContext {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name });
  return { config, keyring: loadKeyring(config), logger };
}

/** Runs `stop` once on SIGTERM or SIGINT; a second signal forces exit. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
