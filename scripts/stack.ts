import { Runtime } from '@temporalio/worker';
import path from 'node:path';
import { startApi, type RunningApi } from '../api/server';
import { startFerret, startTemporal, type EmbeddedServer } from '../platform/embedded';
import { onShutdown, startProcess } from '../platform/process';
import { createWorker, type RunningWorker } from '../worker/create';
import { temporalLogger } from '../worker/runtime-logger';

/**
 * `npm start`: the whole stack in one process tree. Without TEMPORAL_ADDRESS / MONGODB_URI it runs the embedded
 * Temporal dev server and FerretDB with their data in the data folder, so the next start finds yesterday's data.
 */
export async function runStack(binaries: { temporal?: string; ferretdb?: string }): Promise<void> {
  const { config, keyring, logger } = startProcess('complyflow');
  const dataDir = path.resolve(config.dataDir);
  const embedded: EmbeddedServer[] = [];
  const stopEmbedded = () => Promise.all(embedded.reverse().map((s) => s.stop()));
  let temporalUi: string | undefined;
  try {
    if (!config.temporalAddress) {
      const uiPort = config.temporalPort + 1000;
      const server = await startTemporal({ binary: binaries.temporal!, port: config.temporalPort, uiPort, dbFile: path.join(dataDir, 'temporal.db'), logFile: path.join(dataDir, 'temporal.log') });
      embedded.push(server);
      config.temporalAddress = server.address;
      temporalUi = `http://127.0.0.1:${uiPort}`;
    }
    if (!config.mongoUri) {
      const server = await startFerret({ binary: binaries.ferretdb!, port: config.mongoPort, dataDir: path.join(dataDir, 'ferretdb'), logFile: path.join(dataDir, 'ferretdb.log') });
      embedded.push(server);
      config.mongoUri = `mongodb://${server.address}/`;
    }
  } catch (err) {
    await stopEmbedded();
    throw new Error(`${(err as Error).message}. Is another ComplyFlow already running? Set EMBEDDED_TEMPORAL_PORT / EMBEDDED_MONGODB_PORT to use other ports.`);
  }

  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: [] });
  let running: RunningWorker | undefined;
  let workerDone: Promise<void> | undefined;
  let api: RunningApi;
  try {
    running = await createWorker({ config, keyring, logger });
    workerDone = running.run();
    api = await startApi({ config, keyring, logger });
  } catch (err) {
    // The embedded servers are child processes: exiting without stopping them would leave them running, holding
    // the ports and data files the next start needs.
    running?.shutdown();
    await workerDone?.catch(() => undefined);
    await stopEmbedded();
    throw err;
  }

  const lines = [
    '',
    'ComplyFlow is running.',
    `  API:         ${api.url}`,
    `  API docs:    ${api.url}/docs`,
    ...(temporalUi ? [`  Temporal UI: ${temporalUi}`] : []),
    ...(api.bootstrapToken ? ['', `  Bootstrap admin API key (shown once, store it now): ${api.bootstrapToken}`] : []),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  onShutdown(logger, async () => {
    await api.close();
    running!.shutdown();
    await workerDone;
    await stopEmbedded();
  });
}
