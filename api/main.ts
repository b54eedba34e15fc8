import { onShutdown, startProcess } from '../platform/process';
import { startApi } from './server';

/** `npm run api`: the API alone, against TEMPORAL_ADDRESS and MONGODB_URI. */
async function main(): Promise<void> {
  const { config, keyring, logger } = startProcess('complyflow-api');
  const api = await startApi({ config, keyring, logger });
  logger.info({ url: api.url }, 'API listening');
  if (api.bootstrapToken) process.stdout.write(`\nBootstrap admin API key (shown once, store it now): ${api.bootstrapToken}\n\n`);
  onShutdown(logger, () => api.close());
}

main().catch((err: unknown) => {
  process.stderr.write(`API failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
