/**
 * `npm run bench:consent`: consent lifecycle throughput and timer precision on the real stack.
 *
 * Starts an embedded Temporal server and FerretDB, a worker process and the API, then:
 * 1. starts N lifecycles directly through the Temporal client (the baseline): each consent is recorded beforehand,
 *    untimed, and the bench hands it to its lifecycle exactly as the API does (signal-with-start);
 * 2. starts N through the API (POST /consents/grants: authentication, validation, the consent record, the hand-over);
 * 3. prints both rates and their ratio twice: as calls accepted, and as lifecycles through their first step (the
 *    grant in the evidence trail, the lifecycle asleep) — the rate the stack can keep up;
 * 4. waits for the API-started lifecycles' renewal timers, which fall due while the baseline's N lifecycles sleep
 *    (their renewal is a year away), and prints how late each fired relative to its due time (p50/p99);
 * 5. prints the worker's peak RSS and the CPU each process spent per lifecycle.
 * Each phase starts on an idle stack: the bench waits for the previous phase's lifecycles to fall asleep.
 * BENCH_COUNT (default 10000), BENCH_CONCURRENCY (default 64) and BENCH_TIMER_DELAY (seconds from a grant to its
 * renewal timer, default 420: long enough for every phase to finish first) tune it.
 */
import { handToLifecycle } from '../api/consent-lifecycle';
import { lifecycleWorkflowId } from '../domain/consent-lifecycle';
import { ConsentRecorder } from '../store/consent-recorder';
import { cpuSeconds, percentile, pool, runBench, say, startBenchStack, tsMillis, type CpuSample } from './stack';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const TIMER_DELAY_SECONDS = Number(process.env.BENCH_TIMER_DELAY ?? 420);

interface Phase {
  accepted: number;
  asleep: number;
  cpu: CpuSample;
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const { config, api, client } = stack;
  const { stores } = api.app.deps;
  try {
    const system = await stores.principals.create({ kind: 'system', name: 'bench CRM', roles: ['system'], createdBy: 'bench' });
    const { token } = await stores.apiKeys.create({ principalId: system.id, label: 'bench', createdBy: 'bench' });
    // API grants: renewal timer TIMER_DELAY after the grant. Baseline grants: renewed yearly, so they sleep throughout.
    const validFor = TIMER_DELAY_SECONDS * 4;
    const policy = { jurisdiction: 'default', validFor: `PT${validFor}S`, renewBefore: `PT${validFor - TIMER_DELAY_SECONDS}S` };
    const doubleOptIn = { required: false, confirmWithin: 'P7D' };
    await stores.purposes.create({ id: 'bench', name: 'Bench', description: 'Benchmark purpose', lawfulBasis: 'consent', channels: ['email'], policies: [policy], doubleOptIn });
    await stores.purposes.create({ id: 'bench-yearly', name: 'Bench (yearly)', description: 'Benchmark baseline purpose', lawfulBasis: 'consent', channels: ['email'], policies: [{ jurisdiction: 'default', validFor: 'P2Y', renewBefore: 'P1Y' }], doubleOptIn });
    for (const purposeId of ['bench', 'bench-yearly']) await stores.purposes.addNotice({ purposeId, text: 'Benchmark notice.', language: 'en', effectiveFrom: new Date(), createdBy: 'bench' });

    say(`Creating ${2 * COUNT} subjects and recording the baseline's ${COUNT} grants…`);
    const subjectIds: string[] = [];
    await pool(Array.from({ length: 2 * COUNT }, (_, i) => i), CONCURRENCY, async (i) => {
      subjectIds[i] = (await stores.subjects.create({ email: `person${i}@bench.example`, country: 'DE', externalId: `bench-${i}` })).subject.id;
    }, 'subjects');
    const recorder = new ConsentRecorder(stores.subjects, stores.purposes, stores.consents);
    const baseline: { subjectId: string; purposeId: string; eventId: string; status: string }[] = [];
    await pool(subjectIds.slice(0, COUNT), CONCURRENCY, async (subjectId) => {
      const { event, state } = await recorder.capture({ subjectId, purposeId: 'bench-yearly', action: 'grant', method: 'api', actor: { id: system.id, type: 'system' }, at: new Date() });
      baseline.push({ subjectId, purposeId: event.purposeId, eventId: event.id, status: state.status });
    }, 'baseline grants');

    say('Baseline: handing each grant to its lifecycle through the Temporal client…');
    const direct = await phase(baseline.map((b) => b.eventId), () =>
      pool(baseline, CONCURRENCY, (recorded) => handToLifecycle(client, config.taskQueue, recorded), 'direct starts'),
    );
    say('Through the API…');
    const apiEventIds: string[] = [];
    const viaApi = await phase(apiEventIds, () =>
      pool(subjectIds.slice(COUNT), CONCURRENCY, async (subjectId) => {
        const res = await fetch(`${api.url}/consents/grants`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subjectId, purposeId: 'bench', method: 'api' }),
        });
        if (res.status !== 201) throw new Error(`grant failed: ${res.status} ${await res.text()}`);
        apiEventIds.push(((await res.json()) as { event: { id: string } }).event.id);
      }, 'API starts'),
    );

    const rate = (seconds: number) => (COUNT / seconds).toFixed(0);
    say('');
    say(`| ${COUNT} lifecycles each way, concurrency ${CONCURRENCY} | calls accepted/s | through first step/s |`);
    say('|---|---|---|');
    say(`| direct: Temporal client, signal-with-start (baseline) | ${rate(direct.accepted)} | ${rate(direct.asleep)} |`);
    say(`| through the API (POST /consents/grants) | ${rate(viaApi.accepted)} | ${rate(viaApi.asleep)} |`);
    say(`| ratio API / direct (target ≥ 0.8) | ${(direct.accepted / viaApi.accepted).toFixed(2)} | ${(direct.asleep / viaApi.asleep).toFixed(2)} |`);
    say('');
    say('CPU per lifecycle, ms (each phase until its lifecycles were asleep):');
    say(`| process | direct | API |`);
    say('|---|---|---|');
    for (const name of Object.keys(viaApi.cpu)) say(`| ${name} | ${perLifecycle(direct.cpu[name])} | ${perLifecycle(viaApi.cpu[name])} |`);

    // The API-started lifecycles' renewal timers fall due TIMER_DELAY after their grants, while the baseline's sleep.
    const apiWorkflows = subjectIds.slice(COUNT).map((subjectId) => client.workflow.getHandle(lifecycleWorkflowId(subjectId, 'bench')));
    const lastDue = await dueTime(apiWorkflows[apiWorkflows.length - 1]);
    say('');
    say(`Waiting for the API-started lifecycles' renewal timers (the last falls due at ${new Date(lastDue).toISOString()}), ${COUNT} others asleep…`);
    await new Promise((r) => setTimeout(r, Math.max(0, lastDue - Date.now()) + 15_000));
    const lags: number[] = [];
    await pool(apiWorkflows, 16, async (handle) => {
      const events = (await handle.fetchHistory()).events ?? [];
      const started = events.find((e) => e.timerStartedEventAttributes);
      const fired = events.find((e) => e.timerFiredEventAttributes);
      if (!started || !fired) throw new Error(`${handle.workflowId}: its renewal timer has not fired`);
      lags.push(tsMillis(fired.eventTime) - timerDue(started));
    });
    lags.sort((a, b) => a - b);
    say(`timer lag over all ${lags.length} renewal timers: p50 ${percentile(lags, 0.5)} ms, p99 ${percentile(lags, 0.99)} ms, max ${lags[lags.length - 1]} ms (target p99 < 2000)`);
    say(`worker peak RSS: ${stack.workerPeakRssMiB()?.toFixed(0) ?? '?'} MiB (target < 1024)`);
  } finally {
    await stack.stop();
  }

  /**
   * Runs the starts, then waits until each of their grants is in the evidence trail (the lifecycle's first step).
   * Lifecycles work through their queue roughly in order, so the wait walks the events in start order, one look-up
   * by id at a time: counting a collection would cost FerretDB a scan on every poll and slow what it measures.
   */
  async function phase(eventIds: string[], starts: () => Promise<number>): Promise<Phase> {
    const cpuBefore = cpuSeconds(stack);
    const began = process.hrtime.bigint();
    const accepted = await starts();
    for (const eventId of eventIds) {
      while (!(await stores.consents.event(eventId))?.evidence) await new Promise((r) => setTimeout(r, 250));
    }
    const asleep = Number(process.hrtime.bigint() - began) / 1e9;
    const cpuAfter = cpuSeconds(stack);
    return { accepted, asleep, cpu: Object.fromEntries(Object.entries(cpuAfter).map(([name, s]) => [name, s - (cpuBefore[name] ?? 0)])) };
  }
}

function perLifecycle(seconds: number | undefined): string {
  return seconds === undefined ? '?' : ((seconds * 1000) / COUNT).toFixed(1);
}

async function dueTime(handle: { fetchHistory(): Promise<{ events?: Parameters<typeof timerDue>[0][] | null }> }): Promise<number> {
  const started = ((await handle.fetchHistory()).events ?? []).find((e) => e.timerStartedEventAttributes);
  if (!started) throw new Error('a lifecycle started no timer');
  return timerDue(started);
}

function timerDue(started: { eventTime?: { seconds?: unknown; nanos?: number | null } | null; timerStartedEventAttributes?: { startToFireTimeout?: { seconds?: unknown; nanos?: number | null } | null } | null }): number {
  const timeout = started.timerStartedEventAttributes!.startToFireTimeout!;
  return tsMillis(started.eventTime) + tsMillis(timeout);
}

runBench(main);
