/**
 * `npm run bench:audit`: how fast a data-accuracy audit reads subject records, against a raw driver scan of the same
 * collection in the same run, and the worker's peak memory while it does.
 *
 * Starts an embedded Temporal server and FerretDB, a worker process and the API; writes N subject records (encrypted
 * e-mail and phone, 0.5 % of them with a broken e-mail address); then
 * 1. the baseline: one driver cursor over the collection, every document read, nothing else done;
 * 2. an audit run of the data-accuracy check, started through the Temporal client and timed until it completes
 *    (decrypting, checking, saving findings and checkpoints, heartbeating);
 * 3. the duplicates check on its own (three passes in blind-index order), for reference.
 * Prints records/s of each and the ratio, and the peak RSS of the worker process that ran the scans (a scan worker,
 * COMPLYFLOW_WORKER_ROLE=scans, beside a worker for the workflows). BENCH_RECORDS (default 1 000 000) tunes it.
 */
import { auditRunWorkflow } from '../workflows/audit';
import { runBench, say, startBenchStack } from './stack';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BATCH = 5_000;

async function main(): Promise<void> {
  const stack = await startBenchStack({}, { scanWorker: true });
  const { config, api, client } = stack;
  const { stores } = api.app.deps;
  try {
    say(`Writing ${RECORDS} subject records…`);
    const seedStart = Date.now();
    for (let start = 0; start < RECORDS; start += BATCH) {
      const size = Math.min(BATCH, RECORDS - start);
      await stores.subjects.createMany(
        Array.from({ length: size }, (_, i) => {
          const n = start + i;
          return { email: n % 200 === 0 ? `broken-${n}-at-bench.example` : `person.${n}@bench.example`, phone: `+4930${String(1_000_000 + (n % 8_999_999)).padStart(7, '0')}`, country: 'DE' };
        }),
      );
      if ((start / BATCH) % 20 === 0) process.stderr.write(`  written ${start + size}\n`);
    }
    say(`  ${RECORDS} records in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);

    const rawStart = process.hrtime.bigint();
    let read = 0;
    for await (const doc of api.app.deps.db.collection('subjects').find({}).batchSize(1000)) if (doc) read += 1;
    const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;

    const audit = async (check: 'data-accuracy' | 'duplicates') => {
      const started = process.hrtime.bigint();
      const handle = await client.workflow.start(auditRunWorkflow, {
        workflowId: `audit-bench-${check}-${Date.now()}`,
        taskQueue: config.taskQueue,
        args: [{ trigger: { kind: 'ad-hoc', by: 'bench' }, scope: { checks: [check], correctiveActionSeverity: 'critical' } }],
      });
      const result = await handle.result();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const outcome = result.checks[0];
      if (outcome.status === 'failed') throw new Error(`${check} failed: ${outcome.error}`);
      return { seconds, scanned: outcome.recordsScanned, findings: outcome.findings };
    };
    const idleRss = stack.scanWorkerPeakRssMiB();
    const accuracy = await audit('data-accuracy');
    const duplicates = await audit('duplicates');

    const rate = (records: number, seconds: number) => Math.round(records / seconds);
    say('');
    say(`Subject records: ${RECORDS}`);
    say(`  raw driver cursor scan:  ${rate(read, rawSeconds)} records/s (${rawSeconds.toFixed(1)} s)`);
    say(`  data-accuracy audit:     ${rate(accuracy.scanned, accuracy.seconds)} records/s (${accuracy.seconds.toFixed(1)} s, ${accuracy.findings} findings)`);
    say(`  ratio audit / raw:       ${(rawSeconds / accuracy.seconds).toFixed(2)}`);
    say(`  duplicates check:        ${rate(RECORDS, duplicates.seconds)} records/s (${duplicates.seconds.toFixed(1)} s for ${duplicates.scanned} index entries in 3 passes, ${duplicates.findings} findings)`);
    say(`  scan worker peak RSS:    ${stack.scanWorkerPeakRssMiB()?.toFixed(0)} MiB (${idleRss?.toFixed(0)} MiB before the audits)`);
    say(`  process worker peak RSS: ${stack.workerPeakRssMiB()?.toFixed(0)} MiB (workflows and short activities)`);
  } finally {
    await stack.stop();
  }
}

runBench(main);
