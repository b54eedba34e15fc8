import { Runtime } from '@temporalio/worker';
import { startProcess } from '../platform/process';
import { createWorker } from './create';
import { temporalLogger } from './runtime-logger';

/**
 * `npm run worker`: one worker process. The Temporal runtime handles SIGTERM/SIGINT itself: the worker stops polling,
 * finishes in-flight activities within SHUTDOWN_GRACE_MS, then `run()` resolves and connections close.
 */
async function main(): Promise<void> {
  const { config, keyring, logger } = startProcess('complyflow-worker');
  Runtime.install({ logger: temporalLogger(logger) });
  const running = await createWorker({ config, keyring, logger });
  logger.info({ taskQueue: config.taskQueue }, 'worker polling');
  await running.run();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`Worker failed: ${(err as Error).message}\n`);
  process.exit(1);
});
