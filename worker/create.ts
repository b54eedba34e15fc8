import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import type { Config } from '../platform/config';
import { FieldCrypto } from '../platform/field-crypto';
import type { Keyring } from '../platform/keyring';
import { connectDatabase, type Database } from '../platform/mongo';
import { SEARCH_ATTRIBUTES } from '../platform/search-attributes';
import { scanTaskQueue } from '../platform/task-queues';
import { connectClient, dataConverter } from '../platform/temporal';
import type { Client } from '@temporalio/client';
import { createStores, ensureIndexes } from '../store';
import { temporal } from '@temporalio/proto';

export interface RunningWorker {
  /** Stops polling; in-flight tasks finish within the shutdown grace time. */
  shutdown(): void;
  isRunning(): boolean;
  /** Resolves when the workers have stopped polling and finished their in-flight tasks, and connections are closed. */
  run(): Promise<void>;
}

/**
 * Builds a worker: one database connection, the activities over it, and a Temporal worker polling the task queue.
 * COMPLYFLOW_WORKFLOW_BUNDLE lets a deployment (or the tests) reuse one pre-built bundle.
 */
export async function createWorker(options: { config: Config; keyring: Keyring; logger: Logger }): Promise<RunningWorker> {
  const { config, keyring, logger } = options;
  const database: Database = await connectDatabase(config);
  const crypto = new FieldCrypto(keyring);
  await ensureIndexes(createStores(database.db, crypto));
  const connection = await NativeConnection.connect({ address: config.temporalAddress! });
  let client: Promise<Client> | undefined;
  await checkSearchAttributes(connection, config.temporalNamespace, logger);
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = config.workflowBundle
    ? { workflowBundle: { codePath: config.workflowBundle } }
    : { workflowsPath: require.resolve('../workflows') };
  const activities = createActivities({ config, db: database.db, crypto, keyring, logger: logger.child({ component: 'activities' }), temporal: () => (client ??= connectClient(config, keyring)) });
  const common = { connection, namespace: config.temporalNamespace, dataConverter: dataConverter(keyring), shutdownGraceTime: config.shutdownGraceMs };
  const workers: Worker[] = [];
  if (config.workerRole !== 'scans') {
    workers.push(await Worker.create({ ...common, taskQueue: config.taskQueue, ...workflowSource, activities, maxCachedWorkflows: config.maxCachedWorkflows }));
  }
  if (config.workerRole !== 'processes') {
    // Scans stream whole collections: one at a time per process keeps memory bounded whatever their number.
    workers.push(await Worker.create({ ...common, taskQueue: scanTaskQueue(config.taskQueue), activities: { runAuditCheck: activities.runAuditCheck }, maxConcurrentActivityTaskExecutions: 1 }));
  }
  return {
    shutdown: () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()),
    isRunning: () => workers.some((w) => w.getState() === 'RUNNING'),
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        if (client) await (await client).connection.close();
        await connection.close();
        await database.close();
      }
    },
  };
}

/**
 * Workflows set custom search attributes; a namespace without them fails every such workflow task. Register what
 * is missing (works on a dev server and where the worker may administer the namespace) or say exactly what to run.
 */
async function checkSearchAttributes(connection: NativeConnection, namespace: string, logger: Logger): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  const { IndexedValueType } = temporal.api.enums.v1;
  const typeCodes = { Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME };
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, typeCodes[SEARCH_ATTRIBUTES[name]]])),
    });
    logger.info({ added: missing }, 'registered missing search attributes');
  } catch (err) {
    const commands = missing.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${SEARCH_ATTRIBUTES[name]}`);
    throw new Error(`Temporal namespace ${namespace} lacks search attributes ${missing.join(', ')} and they could not be added (${(err as Error).message}). Run:\n${commands.join('\n')}`);
  }
}
