import { startTestApi, type TestApi } from '../harness/app';
import { eventually } from '../harness/stack';

/**
 * Recurring audits are real Temporal Schedules on the test's server: a short interval starts runs on its own, a
 * pause stops them, trigger-now starts one, and describe shows the next run times the server computed.
 */
interface ScheduleView {
  scheduleId: string;
  paused: boolean;
  note: string;
  nextRuns: string[];
  recentRuns: { scheduledAt: string; runId?: string }[];
}

let api: TestApi;
let officer: string;

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  api.app.inject({ method, url, headers: { authorization: `Bearer ${officer}` }, ...(payload && { payload }) });

async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

/** The runs this schedule started, from the audit register (each registers itself when it starts). */
async function runsOf(scheduleId: string): Promise<{ runId: string; status: string }[]> {
  const { items } = await ok<{ items: { runId: string; status: string; trigger: { scheduleId?: string } }[] }>(await call('GET', '/audits?limit=500'), 200);
  return items.filter((r) => r.trigger.scheduleId === scheduleId);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  api = await startTestApi();
  await api.startWorker();
  officer = (await api.tokenFor('compliance-officer')).token;
});

afterAll(async () => {
  await api?.close();
});

it('runs on its interval, stops while paused, runs once when triggered, and shows its next run times', async () => {
  const scheduleId = `every-few-seconds-${Date.now().toString(36)}`;
  const created = await ok<ScheduleView>(
    await call('POST', '/audit-schedules', { scheduleId, description: 'Evidence chain check', spec: { intervals: [{ every: 'PT4S' }], catchupWindow: 'PT1M' }, scope: { checks: ['evidence-integrity'] } }),
    201,
  );
  expect(created).toMatchObject({ scheduleId, paused: false });
  // Describe shows the next runs the server computed, 4 s apart.
  expect(created.nextRuns.length).toBeGreaterThanOrEqual(2);
  const [a, b] = created.nextRuns.map((t) => Date.parse(t));
  expect(b - a).toBe(4_000);
  expect(a).toBeGreaterThan(Date.now() - 1_000);

  const two = await eventually(async () => {
    const runs = await runsOf(scheduleId);
    return runs.filter((r) => r.status === 'completed').length >= 2 ? runs : undefined;
  }, 30_000, 'two scheduled audits');
  for (const run of two) expect(run.runId.startsWith(`audit-${scheduleId}-`)).toBe(true);

  const paused = await ok<ScheduleView>(await call('POST', `/audit-schedules/${scheduleId}/pause`, { note: 'Database migration tonight' }), 200);
  expect(paused).toMatchObject({ paused: true, note: 'Database migration tonight' });
  // A run the server started just before the pause may still register; after that, nothing new for two intervals.
  await sleep(1_500);
  const atPause = (await runsOf(scheduleId)).length;
  await sleep(9_000);
  expect((await runsOf(scheduleId)).length).toBe(atPause);

  await ok(await call('POST', `/audit-schedules/${scheduleId}/trigger`), 202);
  await eventually(async () => ((await runsOf(scheduleId)).length === atPause + 1 ? true : undefined), 20_000, 'the triggered run');
  await sleep(5_000);
  expect((await runsOf(scheduleId)).length).toBe(atPause + 1);
  const described = await ok<ScheduleView>(await call('GET', `/audit-schedules/${scheduleId}`), 200);
  expect(described.paused).toBe(true);
  expect(described.recentRuns.length).toBeGreaterThanOrEqual(3);

  const listed = await ok<{ items: { scheduleId: string }[] }>(await call('GET', '/audit-schedules'), 200);
  expect(listed.items.map((s) => s.scheduleId)).toContain(scheduleId);
  const unpaused = await ok<ScheduleView>(await call('POST', `/audit-schedules/${scheduleId}/unpause`, { note: 'Migration done' }), 200);
  expect(unpaused.paused).toBe(false);

  expect((await call('DELETE', `/audit-schedules/${scheduleId}`)).statusCode).toBe(204);
  expect((await call('GET', `/audit-schedules/${scheduleId}`)).statusCode).toBe(404);
  // Management steps are in the evidence trail with the officer as actor.
  const trail = await ok<{ items: { action: string }[] }>(await call('GET', `/evidence?resourceType=audit-schedule&resourceId=${scheduleId}`), 200);
  expect(trail.items.map((e) => e.action)).toEqual(['audit-schedule.created', 'audit-schedule.paused', 'audit-schedule.triggered', 'audit-schedule.unpaused', 'audit-schedule.deleted']);
});
