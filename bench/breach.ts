/**
 * `npm run bench:breach`: breach clocks at scale on the real stack.
 *
 * 1. The deadline engine alone: obligations computed per second for varied incident facts (pure, in-process).
 * 2. BENCH_INCIDENTS (default 1000) concurrent incidents, each with about ten obligations and one durable clock per
 *    obligation, started through the Temporal client as they are reported; the time until every one has computed its
 *    obligations and is in the breach register is the start-up figure.
 * 3. The escalation ladder is scaled so the 24-hour clocks (NIS2 early warning) escalate BENCH_WARMUP seconds (default
 *    300, after the start-up burst) after awareness and twice more a minute apart, while every longer clock sleeps.
 *    Escalation lag — when each escalation was recorded in the evidence trail minus when it was scheduled — p50/p99,
 *    beside the Temporal server's own timer lag for a sample of the same workflows (the baseline), and the worker's
 *    peak RSS. BENCH_DRAIN (seconds, default 900) bounds the wait for escalations still queued when the run ends.
 *    BENCH_TRACE=1 also prints the history timeline of three incidents (where start-up time goes).
 */
import { performance } from 'node:perf_hooks';
import { computeObligations } from '../domain/breach/engine';
import { BREACH_RULES } from '../domain/breach/pack';
import type { IncidentFacts } from '../domain/breach/types';
import { incidentWorkflow, incidentWorkflowId } from '../workflows/incident';
import { percentile, pool, runBench, say, startBenchStack, tsMillis } from './stack';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 1000);
const ENGINE_RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 20_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const DAY = 86_400;
const LADDER = { at: [WARMUP / DAY, (WARMUP + 60) / DAY, (WARMUP + 120) / DAY], overdueEverySeconds: DAY };
const DURATION = WARMUP + 150;
const DRAIN = Number(process.env.BENCH_DRAIN ?? 900);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

/** Facts giving about ten obligations: EU and UK residents, five US states, NIS2 essential entity, high risk. */
function factsFor(i: number, awareness: string): IncidentFacts {
  return {
    anchors: { awareness, discovery: awareness, determination: awareness },
    submissions: {},
    affected: { DE: 400 + i, FR: 120, GB: 90, 'US-CA': 700, 'US-TX': 260, 'US-NY': 50 + (i % 7), 'US-FL': 510, 'US-WA': 30 },
    dataCategories: ['contact', 'government-id', 'financial'],
    encryption: 'none',
    risk: 'high',
    flags: ['controller', 'eu-established', 'nis2-entity', 'nis2-significant-incident'],
    entity: { zone: 'Europe/Berlin', calendar: 'weekends' },
  };
}

function benchEngine(): { runs: number; obligations: number; seconds: number } {
  const now = new Date().toISOString();
  let obligations = 0;
  const started = performance.now();
  for (let i = 0; i < ENGINE_RUNS; i++) {
    const awareness = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
    obligations += computeObligations(BREACH_RULES, factsFor(i, awareness), { now }).obligations.length;
  }
  return { runs: ENGINE_RUNS, obligations, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const engine = benchEngine();
  say(`| deadline engine (${engine.runs} assessments) | seconds | assessments/s | obligations/s |`);
  say('|---|---|---|---|');
  say(`| computeObligations, built-in pack | ${engine.seconds.toFixed(2)} | ${(engine.runs / engine.seconds).toFixed(0)} | ${(engine.obligations / engine.seconds).toFixed(0)} |`);
  say(`(${(engine.obligations / engine.runs).toFixed(1)} obligations per incident)`);

  const stack = await startBenchStack();
  const { config, client, api } = stack;
  const db = api.app.deps.db;
  try {
    const runStart = Date.now();
    const ids: number[] = Array.from({ length: INCIDENTS }, (_, i) => i);
    const startSeconds = await pool(ids, CONCURRENCY, async (i) => {
      // Spread over a minute, so the escalations do not all fall on the same second.
      const awareness = new Date(Date.now() - (i % 60) * 1000).toISOString();
      const incidentId = `inc_bench${String(i).padStart(6, '0')}`;
      await client.workflow.start(incidentWorkflow, {
        workflowId: incidentWorkflowId(incidentId),
        taskQueue: config.taskQueue,
        args: [
          {
            report: {
              incidentId,
              title: `Bench incident ${i}`,
              description: 'Benchmark incident.',
              reportedBy: { id: 'bench', type: 'system' },
              reportedAt: new Date().toISOString(),
              systems: [],
              facts: factsFor(i, awareness),
              contacts: [],
              ladder: LADDER,
              asapTargetHours: 72,
              reviewWithinDays: 30,
            },
          },
        ],
      });
    }, 'incidents started');
    say(`\nStarted ${INCIDENTS} incidents in ${startSeconds.toFixed(1)} s; running for ${DURATION} s…`);
    const incidentsCollection = db.collection('incidents');
    while ((await incidentsCollection.countDocuments()) < INCIDENTS && Date.now() < runStart + DURATION * 1000) await new Promise((r) => setTimeout(r, 1000));
    const registered = await incidentsCollection.countDocuments();
    say(`start-up: ${registered} of ${INCIDENTS} incidents had their obligations computed and were in the breach register ${((Date.now() - runStart) / 1000).toFixed(0)} s after the first report`);
    await new Promise((r) => setTimeout(r, Math.max(0, runStart + DURATION * 1000 - Date.now())));
    // An escalation's evidence carries the workflow's clock at the moment its timer fired, but is written by an
    // activity that may still be queued behind the start-up burst: wait until the count stops growing, up to
    // BENCH_DRAIN seconds, so the lag is measured on every escalation that fell due.
    const escalationCount = () => db.collection('evidence_events').countDocuments({ action: 'incident.escalated' });
    const drainUntil = Date.now() + DRAIN * 1000;
    for (let last = -1, now = await escalationCount(); (now !== last || now === 0) && Date.now() < drainUntil; last = now, now = await escalationCount()) {
      await new Promise((r) => setTimeout(r, 30_000));
    }

    const incidents = await db.collection('incidents').find({}, { projection: { obligations: 1 } }).toArray();
    const obligationCount = incidents.reduce((n, d) => n + (d.obligations as unknown[]).length, 0);
    const escalations = await db.collection('evidence_events').find({ action: 'incident.escalated' }, { projection: { at: 1, data: 1, resource: 1 } }).toArray();
    const scheduled = escalations.filter((e) => Date.parse(e.data.scheduledAt as string) > runStart);
    const lagOf = (e: (typeof scheduled)[number]) => new Date(e.at as Date).getTime() - Date.parse(e.data.scheduledAt as string);
    const lags = scheduled.map(lagOf).sort((a, b) => a - b);

    // Baseline: the server's own timer lag for a sample of the same incidents, from their histories.
    const timerLags: number[] = [];
    await pool(ids.filter((i) => i % Math.max(1, Math.floor(INCIDENTS / 100)) === 0), 8, async (i) => {
      const history = await client.workflow.getHandle(incidentWorkflowId(`inc_bench${String(i).padStart(6, '0')}`)).fetchHistory();
      const started = new Map<string, number>();
      for (const e of history.events ?? []) {
        const s = e.timerStartedEventAttributes;
        if (s) started.set(s.timerId!, tsMillis(e.eventTime) + Number(s.startToFireTimeout?.seconds ?? 0) * 1000 + Math.floor((s.startToFireTimeout?.nanos ?? 0) / 1e6));
        const f = e.timerFiredEventAttributes;
        if (f && started.has(f.timerId!)) timerLags.push(tsMillis(e.eventTime) - started.get(f.timerId!)!);
      }
    });
    timerLags.sort((a, b) => a - b);
    if (process.env.BENCH_TRACE) {
      for (const i of [0, Math.floor(INCIDENTS / 2), INCIDENTS - 1]) {
        const history = await client.workflow.getHandle(incidentWorkflowId(`inc_bench${String(i).padStart(6, '0')}`)).fetchHistory();
        const t0 = tsMillis(history.events![0].eventTime);
        process.stderr.write(`trace ${i}: ${(history.events ?? []).slice(0, 40).map((e) => `${tsMillis(e.eventTime) - t0}:${Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k])?.replace('EventAttributes', '')}${e.activityTaskScheduledEventAttributes ? `(${e.activityTaskScheduledEventAttributes.activityType?.name})` : ''}`).join(' ')}\n`);
      }
    }

    say(`\n${INCIDENTS} incidents, ${obligationCount} obligations (one clock each), ${escalations.length} escalations recorded`);
    say('| lag after the scheduled instant | p50 ms | p99 ms | max ms |');
    say('|---|---|---|---|');
    say(`| Temporal timer fired (baseline, ${timerLags.length} timers sampled) | ${percentile(timerLags, 0.5)} | ${percentile(timerLags, 0.99)} | ${timerLags[timerLags.length - 1]} |`);
    say(`| escalation recorded in the evidence trail | ${percentile(lags, 0.5)} | ${percentile(lags, 0.99)} | ${lags[lags.length - 1]} |`);
    const slowest = [...scheduled].sort((a, b) => lagOf(b) - lagOf(a)).slice(0, 5);
    for (const e of slowest) process.stderr.write(`  slow: ${e.resource.id} ${e.data.obligationId} ${e.data.step} scheduled ${e.data.scheduledAt} recorded ${new Date(e.at as Date).toISOString()}\n`);
    say(`worker peak RSS: ${stack.workerPeakRssMiB()?.toFixed(0) ?? '?'} MiB`);
  } finally {
    await stack.stop();
  }
}

runBench(main);
