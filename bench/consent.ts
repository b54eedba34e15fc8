/**
 * `npm run bench:consent`: consent lifecycle throughput and timer precision on the real stack.
 *
 * Starts an embedded Temporal server and FerretDB, a worker process and the API, then:
 * 1. starts N lifecycles directly through the Temporal client (the baseline), and N through the API
 *    (POST /consents/grants: authentication, validation, the consent record, then signal-with-start);
 * 2. prints starts/s of both and their ratio, the worker's peak RSS, and how late each lifecycle's first timer fired
 *    relative to its due time (p50/p99) while all 2N workflows sleep.
 * BENCH_COUNT (default 10000) and BENCH_CONCURRENCY (default 64) tune it.
 */
import { lifecycleWorkflowId } from '../domain/consent-lifecycle';
import { scheduleFor } from '../domain/consent-policy';
import { consentLifecycleWorkflow } from '../workflows/consent';
import { percentile, pool, runBench, say, startBenchStack, tsMillis } from './stack';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** Every lifecycle's renewal timer falls due this long after the bench starts its first workflow. */
const TIMER_DELAY_SECONDS = Number(process.env.BENCH_TIMER_DELAY ?? 240);

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const { config, api, client } = stack;
  const { stores } = api.app.deps;
  try {
    const system = await stores.principals.create({ kind: 'system', name: 'bench CRM', roles: ['system'], createdBy: 'bench' });
    const { token } = await stores.apiKeys.create({ principalId: system.id, label: 'bench', createdBy: 'bench' });
    const firstStart = Date.now();
    const validFor = TIMER_DELAY_SECONDS * 4;
    const policy = { jurisdiction: 'default', validFor: `PT${validFor}S`, renewBefore: `PT${validFor - TIMER_DELAY_SECONDS}S` };
    await stores.purposes.create({ id: 'bench', name: 'Bench', description: 'Benchmark purpose', lawfulBasis: 'consent', channels: ['email'], policies: [policy], doubleOptIn: { required: false, confirmWithin: 'P7D' } });
    await stores.purposes.addNotice({ purposeId: 'bench', text: 'Benchmark notice.', language: 'en', effectiveFrom: new Date(), createdBy: 'bench' });

    say(`Creating ${2 * COUNT} subjects…`);
    const ids = Array.from({ length: 2 * COUNT }, (_, i) => i);
    const subjectIds: string[] = [];
    await pool(ids, CONCURRENCY, async (i) => {
      subjectIds[i] = (await stores.subjects.create({ email: `person${i}@bench.example`, country: 'DE', externalId: `bench-${i}` })).subject.id;
    }, 'subjects');

    // Baseline: the Temporal client alone, each lifecycle sleeping on the same kind of timer.
    const direct = subjectIds.slice(0, COUNT);
    const directSeconds = await pool(direct, CONCURRENCY, async (subjectId) => {
      const grantedAt = new Date(firstStart).toISOString();
      await client.workflow.start(consentLifecycleWorkflow, {
        workflowId: lifecycleWorkflowId(subjectId, 'bench'),
        taskQueue: config.taskQueue,
        args: [{ subjectId, purposeId: 'bench', state: { subjectId, purposeId: 'bench', status: 'active', cycle: 1, consentType: 'express', grantEventId: `direct-${subjectId}`, grantedAt, noticeVersionId: 'bench@1', method: 'api', schedule: scheduleFor(grantedAt, policy), lastEventId: `direct-${subjectId}`, updatedAt: grantedAt } }],
      });
    }, 'direct starts');

    const viaApi = subjectIds.slice(COUNT);
    const apiSeconds = await pool(viaApi, CONCURRENCY, async (subjectId) => {
      const res = await fetch(`${api.url}/consents/grants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subjectId, purposeId: 'bench', method: 'api' }),
      });
      if (res.status !== 201) throw new Error(`grant failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }, 'API starts');

    const directRate = COUNT / directSeconds;
    const apiRate = COUNT / apiSeconds;
    say('');
    say(`| lifecycle starts (${COUNT} each, concurrency ${CONCURRENCY}) | seconds | starts/s |`);
    say('|---|---|---|');
    say(`| direct, Temporal client (baseline) | ${directSeconds.toFixed(1)} | ${directRate.toFixed(0)} |`);
    say(`| through the API (POST /consents/grants) | ${apiSeconds.toFixed(1)} | ${apiRate.toFixed(0)} |`);
    say(`ratio API / direct: ${(apiRate / directRate).toFixed(2)} (target ≥ 0.8)`);

    // Wait for every lifecycle's first timer, then read when each fired from the histories.
    const due = firstStart + TIMER_DELAY_SECONDS * 1000;
    const lastDue = Date.now() + TIMER_DELAY_SECONDS * 1000;
    say(`Waiting for ${2 * COUNT} sleeping lifecycles' timers (due from ${new Date(due).toISOString()} to ${new Date(lastDue).toISOString()})…`);
    await new Promise((r) => setTimeout(r, Math.max(0, lastDue - Date.now()) + 15_000));
    const sample = subjectIds.filter((_, i) => i % Math.max(1, Math.floor((2 * COUNT) / 2000)) === 0);
    const lags: number[] = [];
    await pool(sample, 16, async (subjectId) => {
      const history = await client.workflow.getHandle(lifecycleWorkflowId(subjectId, 'bench')).fetchHistory();
      const events = history.events ?? [];
      const started = events.find((e) => e.timerStartedEventAttributes);
      const fired = events.find((e) => e.timerFiredEventAttributes);
      if (!started || !fired) return;
      const timeout = started.timerStartedEventAttributes!.startToFireTimeout!;
      const dueAt = tsMillis(started.eventTime) + Number(timeout.seconds ?? 0) * 1000 + Math.floor((timeout.nanos ?? 0) / 1e6);
      lags.push(tsMillis(fired.eventTime) - dueAt);
    });
    lags.sort((a, b) => a - b);
    say(`worker peak RSS: ${stack.workerPeakRssMiB()?.toFixed(0) ?? '?'} MiB (target < 1024)`);
    say(`timer lag, ${lags.length} of ${2 * COUNT} sleeping lifecycles sampled: p50 ${percentile(lags, 0.5)} ms, p99 ${percentile(lags, 0.99)} ms, max ${lags[lags.length - 1]} ms (target p99 < 2000)`);
  } finally {
    await stack.stop();
  }
}

runBench(main);
