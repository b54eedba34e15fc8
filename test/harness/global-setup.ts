import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, startFerret, startTemporal, type EmbeddedServer } from '../../platform/embedded';

/**
 * Starts one real Temporal dev server and one FerretDB on free ports for the whole integration run, and bundles the
 * workflow code once. Tests read the addresses from the environment and use their own task queues and databases.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { provisionAll } = require('../../scripts/provision.js') as { provisionAll(): Record<string, string> };

declare global {
  var __COMPLYFLOW_SERVERS__: EmbeddedServer[] | undefined;
  var __COMPLYFLOW_TMP__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const binaries = provisionAll();
  // The crash tests run the worker as a separate process from the compiled build.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-test-'));
  const [temporalPort, ferretPort] = [await freePort(), await freePort()];
  const started = await Promise.allSettled([
    startTemporal({ binary: binaries.temporal, port: temporalPort, headless: true, logFile: path.join(tmp, 'temporal.log') }),
    startFerret({ binary: binaries.ferretdb, port: ferretPort, dataDir: path.join(tmp, 'ferretdb'), logFile: path.join(tmp, 'ferretdb.log') }),
  ]);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // Never leave a half-started stack behind.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  const servers = started.map((s) => (s as PromiseFulfilledResult<EmbeddedServer>).value);
  globalThis.__COMPLYFLOW_SERVERS__ = servers;
  globalThis.__COMPLYFLOW_TMP__ = tmp;

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    TEMPORAL_ADDRESS: servers[0].address,
    MONGODB_URI: `mongodb://${servers[1].address}/`,
    COMPLYFLOW_DATA_DIR: tmp,
    COMPLYFLOW_ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    COMPLYFLOW_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    COMPLYFLOW_TEST_TMP: tmp,
    COMPLYFLOW_WORKFLOW_BUNDLE: bundlePath,
  });
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
