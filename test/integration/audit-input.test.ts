import { ScheduleNotFoundError } from '@temporalio/client';
import { auditScope } from '../../domain/audit/scope';
import { startTestApi, type TestApi } from '../harness/app';
import { expectInvalid, problemOf } from '../harness/problems';
import { eventually } from '../harness/stack';

/**
 * Bad input on the audit, audit-schedule, cleansing and corrective-action routes, and on the principals' new owner
 * and expiry: every refusal is an `application/problem+json` answer naming the field (400), or saying why (404, 409,
 * 422), and leaves no trace — no audit run or cleansing started, no schedule created or changed, no step taken on a
 * corrective action, nothing in the evidence trail.
 */
const HOUR = 3600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();

interface Person {
  token: string;
  principalId: string;
}

interface ActionView {
  id: string;
  rule: string;
  status: string;
  owner: string;
  evidence: unknown[];
  verification?: unknown;
  riskAcceptance?: unknown;
}

describe('audit input', () => {
  let api: TestApi;
  let admin: Person;
  let officer: Person;
  let secondOfficer: Person;
  let auditor: Person;
  let staff: Person;
  let otherStaff: Person;
  /** A finished run that checked data accuracy (with corrective actions), one that did not, and one still "running". */
  let accuracyRun: string;
  let integrityRun: string;
  const runningRun = 'audit_still-running';
  const launchKey = `launch-${Date.now()}`;
  const cleansingKey = `cleanse-${Date.now()}`;
  let cleansingId: string;
  let actions: Record<'emailInvalid' | 'countryMissing', string>;
  /** Schedules live in the shared Temporal server, not in this file's database: named apart, deleted after. */
  const prefix = `input-${Math.random().toString(36).slice(2, 10)}`;
  const existing = `${prefix}-nightly`;
  const refused = `${prefix}-refused`;

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = officer.token, headers: Record<string, string> = {}) =>
    api.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload !== undefined && { payload: payload as object }) });
  const post = (url: string, payload?: unknown, token?: string, headers?: Record<string, string>) => send('POST', url, payload, token, headers);
  const get = (url: string, token = auditor.token) => send('GET', url, undefined, token);

  async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): Promise<T> {
    if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
    return res.json() as T;
  }

  async function finished(runId: string): Promise<void> {
    // Registered by the run's first activity: until then the run is not found.
    await eventually(async () => ((await ok<{ status: string }>(await get(`/audits/${runId}`), 200).catch(() => undefined))?.status === 'completed' ? true : undefined), 60_000, `audit ${runId} to finish`);
  }

  const evidenceCount = (resourceId?: string) => api.database.db.collection('evidence_events').countDocuments(resourceId ? { 'resource.id': resourceId } : {});

  /** Workflows of a type on this file's task queue, once visibility lists at least `atLeast` of them. */
  async function workflows(type: string, atLeast: number): Promise<number> {
    const query = `TaskQueue = '${api.config.taskQueue}' AND WorkflowType = '${type}'`;
    return eventually(async () => {
      const { count } = await api.temporal.workflow.count(query);
      return count >= atLeast ? count : undefined;
    }, 10_000, `${type} workflows to be listed`);
  }

  /** What a refused launch or cleansing must leave untouched: the runs, the cleansings, their workflows, the evidence. */
  async function everything() {
    const runs = (await ok<{ items: Array<{ runId: string }> }>(await get('/audits?limit=500'), 200)).items.map((r) => r.runId).sort();
    const cleansings = await api.database.db.collection('cleansing_runs').countDocuments();
    return {
      runs,
      cleansings,
      // Every registered run but the hand-made "running" one has a workflow, and every saved cleansing run too.
      auditWorkflows: await workflows('auditRunWorkflow', runs.length - 1),
      cleansingWorkflows: await workflows('cleansingWorkflow', cleansings),
      evidence: await evidenceCount(),
    };
  }

  async function launch(body: object, headers: Record<string, string> = {}): Promise<string> {
    const { runId } = await ok<{ runId: string }>(await post('/audits', body, officer.token, headers), 202);
    await finished(runId);
    return runId;
  }

  beforeAll(async () => {
    api = await startTestApi();
    await api.startWorker();
    [admin, officer, secondOfficer, auditor, staff, otherStaff] = await Promise.all([
      api.tokenFor('admin'),
      api.tokenFor('compliance-officer'),
      api.tokenFor('compliance-officer'),
      api.tokenFor('auditor'),
      api.tokenFor('staff'),
      api.tokenFor('staff'),
    ]);
    // Records as an older CRM left them: written past the API's validation.
    await api.stores.subjects.createMany([
      { name: 'Anna Müller', email: ' Anna.Mueller@Example.COM ', phone: '030 1234567', country: 'de' },
      { email: 'not-an-email', country: 'DE' },
      { email: 'nobody@example.com', country: '' },
    ]);
    accuracyRun = await launch({ scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'medium' }, correctiveActions: { owner: staff.principalId } });
    integrityRun = await launch({ scope: { checks: ['evidence-integrity'] } }, { 'idempotency-key': launchKey });
    await api.stores.audits.start({ runId: runningRun, trigger: { kind: 'ad-hoc', by: officer.principalId }, scope: auditScope({}), status: 'running', startedAt: new Date().toISOString(), checks: [] });
    const saved = await eventually(async () => {
      const list = await api.stores.correctiveActions.list({ limit: 500 });
      const byRule = (rule: string) => list.find((a) => a.rule === rule)?.id;
      const [emailInvalid, countryMissing] = [byRule('email-invalid'), byRule('country-missing')];
      return emailInvalid && countryMissing ? { emailInvalid, countryMissing } : undefined;
    }, 60_000, 'the corrective actions of the accuracy run');
    actions = saved;
    ({ cleansingId } = await ok<{ cleansingId: string }>(await post(`/audits/${accuracyRun}/cleansing`, {}, officer.token, { 'idempotency-key': cleansingKey }), 202));
    // Previewed, saved and in the evidence trail: nothing is still being written when the refusals start.
    await eventually(async () => ((await api.database.db.collection('evidence_events').countDocuments({ 'resource.id': cleansingId, action: 'cleansing.previewed' })) > 0 ? true : undefined), 30_000, 'the cleansing preview');
    await ok(await post('/audit-schedules', { scheduleId: existing, description: 'Nightly accuracy', spec: { cron: ['0 3 * * *'], timeZone: 'Europe/Berlin' }, scope: { checks: ['data-accuracy'] }, paused: true, note: 'Not yet' }), 201);
  });

  afterAll(async () => {
    for (const id of [existing, refused]) await api?.temporal.schedule.getHandle(`audit-schedule-${id}`).delete().catch(() => undefined);
    await api?.close();
  });

  describe('launching an audit', () => {
    it('refuses a bad launch by field name, and starts nothing', async () => {
      const before = await everything();
      const launchWith = (body: unknown, headers?: Record<string, string>) => post('/audits', body, officer.token, headers);

      // Unknown fields, at every level.
      expectInvalid(await launchWith({ surprise: 1 }), 'body.surprise', /not a known field/);
      expectInvalid(await launchWith({ scope: { checks: ['access'], depth: 'deep' } }), 'body.scope.depth', /not a known field/);
      expectInvalid(await launchWith({ correctiveActions: { owner: staff.principalId, deputy: staff.principalId } }), 'body.correctiveActions.deputy', /not a known field/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { catastrophic: 'P1D' } } } }), 'body.correctiveActions.policy.dueIn.catastrophic', /not a known field/);
      expectInvalid(await launchWith({ correctiveActions: { owners: { telepathy: staff.principalId } } }), 'body.correctiveActions.owners.telepathy', /not a known field/);
      // `$`-keys and dotted keys: query syntax to the database, refused before anything reads them.
      expectInvalid(await launchWith({ $where: 'sleep(1000)' }), 'body.$where', /\$/);
      expectInvalid(await launchWith({ scope: { $ne: null } }), 'body.scope.$ne');
      expectInvalid(await launchWith({ correctiveActions: { owners: { $gt: '' } } }), 'body.correctiveActions.owners.$gt');
      expectInvalid(await launchWith({ 'scope.checks': ['access'] }), 'body.scope.checks');
      // Wrong types.
      expectInvalid(await launchWith({ scope: 'everything' }), 'body.scope');
      expectInvalid(await launchWith({ scope: { checks: 'access' } }), 'body.scope.checks');
      expectInvalid(await launchWith({ scope: { staleAfterMonths: 'two years' } }), 'body.scope.staleAfterMonths');
      expectInvalid(await launchWith({ scope: { staleAfterMonths: 0 } }), 'body.scope.staleAfterMonths');
      expectInvalid(await launchWith({ scope: { keyUnusedDays: 1.5 } }), 'body.scope.keyUnusedDays');
      expectInvalid(await launchWith({ scope: { countries: ['Germany'] } }), 'body.scope.countries[0]');
      expectInvalid(await launchWith({ correctiveActions: [] }), 'body.correctiveActions');
      expectInvalid(await launchWith({ correctiveActions: { policy: { maxEscalations: -1 } } }), 'body.correctiveActions.policy.maxEscalations');
      expectInvalid(await launchWith({ correctiveActions: { policy: { reminderLeads: 'P1D' } } }), 'body.correctiveActions.policy.reminderLeads');
      // Checks and severities from the catalogue only.
      expectInvalid(await launchWith({ scope: { checks: ['telepathy'] } }), 'body.scope.checks[0]');
      expectInvalid(await launchWith({ scope: { checks: ['access', 'vendors', 'Access'] } }), 'body.scope.checks[2]');
      expectInvalid(await launchWith({ scope: { checks: [] } }), 'body.scope.checks');
      expectInvalid(await launchWith({ scope: { checks: ['access', 'access'] } }), 'body.scope.checks');
      expectInvalid(await launchWith({ scope: { correctiveActionSeverity: 'apocalyptic' } }), 'body.scope.correctiveActionSeverity');
      // Durations: the schema checks their shape, the route that they are positive ISO 8601 durations.
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { high: 'thirty days' } } } }), 'body.correctiveActions.policy.dueIn.high');
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { high: 'PX' } } } }), 'body.correctiveActions.policy.dueIn.high', /positive ISO 8601 duration/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { critical: 'P0D' } } } }), 'body.correctiveActions.policy.dueIn.critical', /positive ISO 8601 duration/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { low: 'P-1D' } } } }), 'body.correctiveActions.policy.dueIn.low', /positive ISO 8601 duration/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { dueIn: { high: 'P999999Y' } } } }), 'body.correctiveActions.policy.dueIn.high', /at most 5 years/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { reminderLeads: ['P1D', 'PT0S'] } } }), 'body.correctiveActions.policy.reminderLeads[1]', /positive ISO 8601 duration/);
      expectInvalid(await launchWith({ correctiveActions: { policy: { escalateEvery: 'Pweekly' } } }), 'body.correctiveActions.policy.escalateEvery', /positive ISO 8601 duration/);
      // Owners and escalation targets must be principals that exist.
      expectInvalid(await launchWith({ correctiveActions: { owner: 'prn_nobody' } }), 'body.correctiveActions.owner', /principal prn_nobody does not exist/);
      expectInvalid(await launchWith({ correctiveActions: { escalateTo: 'prn_nobody' } }), 'body.correctiveActions.escalateTo', /does not exist/);
      expectInvalid(await launchWith({ correctiveActions: { owners: { vendors: 'prn_nobody' } } }), 'body.correctiveActions.owners.vendors', /does not exist/);
      expectInvalid(await launchWith({ correctiveActions: { owner: 'not an id!' } }), 'body.correctiveActions.owner');
      // Every problem at once, so a form can show them all.
      const many = problemOf(await launchWith({ correctiveActions: { owner: 'prn_nobody', escalateTo: 'prn_nobody', policy: { dueIn: { high: 'PX', medium: 'P0D' }, escalateEvery: 'Pfoo' } } }), 400);
      expect(many.errors!.map((e) => e.field).sort()).toEqual([
        'body.correctiveActions.escalateTo',
        'body.correctiveActions.owner',
        'body.correctiveActions.policy.dueIn.high',
        'body.correctiveActions.policy.dueIn.medium',
        'body.correctiveActions.policy.escalateEvery',
      ]);
      // A malformed Idempotency-Key, and a key reused with a different request.
      expectInvalid(await launchWith({}, { 'idempotency-key': 'short' }), 'headers.idempotency-key');
      const reused = problemOf(await launchWith({ scope: { checks: ['access'] } }, { 'idempotency-key': launchKey }), 409);
      expect(reused.detail).toMatch(/Idempotency-Key was already used with a different request/);

      expect(await everything()).toEqual(before);
      // The same key with the same request is the same run, not a new one.
      expect(await ok<{ runId: string }>(await launchWith({ scope: { checks: ['evidence-integrity'] } }, { 'idempotency-key': launchKey }), 202)).toEqual({ runId: integrityRun });
      expect(await everything()).toEqual(before);
    });

    it('refuses bad run ids, filters, cursors and report formats by name', async () => {
      expectInvalid(await get('/audits?limit=0'), 'querystring.limit');
      expectInvalid(await get('/audits?limit=many'), 'querystring.limit');
      expectInvalid(await get('/audits?before=yesterday'), 'querystring.before');
      expectInvalid(await get('/audits?status=running'), 'querystring.status', /not a known field/);
      expectInvalid(await get('/audits?$where=1'), 'querystring.$where');
      expectInvalid(await get('/audits/not-a-run'), 'params.runId');
      expectInvalid(await get('/audits/audit'), 'params.runId');
      expect(problemOf(await get('/audits/audit_nonexistent'), 404).detail).toMatch(/Audit run audit_nonexistent does not exist/);

      expectInvalid(await get(`/audits/${accuracyRun}/findings?check=telepathy`), 'querystring.check');
      expectInvalid(await get(`/audits/${accuracyRun}/findings?rule=Email_Invalid`), 'querystring.rule');
      expectInvalid(await get(`/audits/${accuracyRun}/findings?after=${encodeURIComponent('a b')}`), 'querystring.after');
      expectInvalid(await get(`/audits/${accuracyRun}/findings?limit=501`), 'querystring.limit');
      expectInvalid(await get(`/audits/${accuracyRun}/findings?severity=high`), 'querystring.severity', /not a known field/);
      expectInvalid(await get('/audits/not-a-run/findings'), 'params.runId');
      problemOf(await get('/audits/audit_nonexistent/findings'), 404);

      expectInvalid(await get(`/audits/${accuracyRun}/report?format=xml`), 'querystring.format');
      expectInvalid(await get(`/audits/${accuracyRun}/report?format=pdf&format=csv`), 'querystring.format');
      expectInvalid(await get(`/audits/${accuracyRun}/report?lang=de`), 'querystring.lang', /not a known field/);
      expectInvalid(await get('/audits/not-a-run/report'), 'params.runId');
      problemOf(await get('/audits/audit_nonexistent/report?format=csv'), 404);
      problemOf(await get('/audits/audit_nonexistent/report?format=html'), 404);
    });
  });

  describe('audit schedules', () => {
    const schedule = (over: Record<string, unknown> = {}) => ({ scheduleId: refused, spec: { cron: ['0 3 * * *'] }, scope: { checks: ['data-accuracy'] }, paused: true, ...over });
    const spec = (s: Record<string, unknown>) => schedule({ spec: s });
    const create = (body: unknown) => post('/audit-schedules', body);

    /** The schedule as the API shows it, less the next run times (which move with the clock). */
    async function existingSchedule() {
      const { nextRuns: _next, ...view } = await ok<Record<string, unknown>>(await get(`/audit-schedules/${existing}`), 200);
      return view;
    }

    async function noSuchSchedule(id: string): Promise<void> {
      await expect(api.temporal.schedule.getHandle(`audit-schedule-${id}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      problemOf(await get(`/audit-schedules/${id}`), 404);
    }

    it('refuses a bad schedule by field name, the schedule rules included, and creates none', async () => {
      const before = { ...(await everything()), schedule: await existingSchedule() };

      // The request itself: unknown fields, `$`-keys, wrong types, bad names.
      expectInvalid(await create(schedule({ surprise: 1 })), 'body.surprise', /not a known field/);
      expectInvalid(await create(spec({ cron: ['0 3 * * *'], every: 'day' })), 'body.spec.every', /not a known field/);
      expectInvalid(await create(spec({ calendars: [{ hour: [3], weekday: ['MON'] }] })), 'body.spec.calendars[0].weekday', /not a known field/);
      expectInvalid(await create(spec({ intervals: [{ every: 'P1D', at: 'PT2H' }] })), 'body.spec.intervals[0].at', /not a known field/);
      expectInvalid(await create(schedule({ $where: 'sleep(1000)' })), 'body.$where');
      expectInvalid(await create(spec({ cron: ['0 3 * * *'], $set: { paused: false } })), 'body.spec.$set');
      expectInvalid(await create(schedule({ scope: { checks: ['access'], 'correctiveActionSeverity.low': true } })), 'body.scope.correctiveActionSeverity.low');
      expectInvalid(await create(schedule({ scheduleId: 'Nightly Audit!' })), 'body.scheduleId');
      expectInvalid(await create(schedule({ scheduleId: 'ab' })), 'body.scheduleId');
      expectInvalid(await create(schedule({ scheduleId: 42 })), 'body.scheduleId');
      const { scheduleId: _id, ...unnamed } = schedule();
      expectInvalid(await create(unnamed), 'body.scheduleId', /required/);
      const { spec: _spec, ...unspecified } = schedule();
      expectInvalid(await create(unspecified), 'body.spec', /required/);
      expectInvalid(await create(schedule({ spec: 'daily' })), 'body.spec');
      expectInvalid(await create(schedule({ paused: 'yes' })), 'body.paused');
      expectInvalid(await create(schedule({ description: 42 })), 'body.description');
      expectInvalid(await create(schedule({ note: '' })), 'body.note');
      expectInvalid(await create(schedule({ scope: { checks: ['telepathy'] } })), 'body.scope.checks[0]');
      expectInvalid(await create(schedule({ scope: { correctiveActionSeverity: 'severe' } })), 'body.scope.correctiveActionSeverity');
      expectInvalid(await create(schedule({ correctiveActions: { owner: 'prn_nobody' } })), 'body.correctiveActions.owner', /does not exist/);
      expectInvalid(await create(schedule({ correctiveActions: { policy: { dueIn: { high: 'PX' } } } })), 'body.correctiveActions.policy.dueIn.high', /positive ISO 8601 duration/);

      // Nothing to run on.
      expectInvalid(await create(spec({})), 'body.spec.intervals', /at least one of intervals, calendars or cron/);
      expectInvalid(await create(spec({ cron: [], calendars: [], intervals: [] })), 'body.spec.intervals', /at least one of intervals, calendars or cron/);
      expectInvalid(await create(spec({ timeZone: 'Europe/Berlin' })), 'body.spec.intervals', /at least one/);

      // Cron expressions.
      expectInvalid(await create(spec({ cron: '0 3 * * *' })), 'body.spec.cron');
      expectInvalid(await create(spec({ cron: [''] })), 'body.spec.cron[0]');
      expectInvalid(await create(spec({ cron: ['0 3 * *'] })), 'body.spec.cron[0]', /five fields/);
      expectInvalid(await create(spec({ cron: ['61 3 * * *'] })), 'body.spec.cron[0]', /minute: 61 is out of range 0-59/);
      expectInvalid(await create(spec({ cron: ['0 3 * * * 2026'] })), 'body.spec.cron[0]', /6- and 7-field forms/);
      expectInvalid(await create(spec({ cron: ['0 3 * * BLUE'] })), 'body.spec.cron[0]', /dayOfWeek: "BLUE" is not a number/);
      expectInvalid(await create(spec({ cron: ['*/90 * * * *'] })), 'body.spec.cron[0]', /step 90 is longer than the whole range/);
      expectInvalid(await create(spec({ cron: ['0 3 * * 5-1'] })), 'body.spec.cron[0]', /runs backwards/);
      expectInvalid(await create(spec({ cron: ['@every 1h'] })), 'body.spec.cron[0]', /@every is not accepted/);
      expectInvalid(await create(spec({ cron: ['@fortnightly'] })), 'body.spec.cron[0]', /the only shorthands/);
      expectInvalid(await create(spec({ cron: ['CRON_TZ=Europe/Berlin 0 3 * * *'] })), 'body.spec.cron[0]', /set timeZone instead/);
      expectInvalid(await create(spec({ cron: ['0 3 1 * MON'] })), 'body.spec.cron[0]', /both dayOfMonth and dayOfWeek/);
      expectInvalid(await create(spec({ cron: ['0 3 30 2 *'] })), 'body.spec.cron[0]', /never fires/);
      expectInvalid(await create(spec({ cron: ['@daily', '0 25 * * *'] })), 'body.spec.cron[1]', /hour: 25 is out of range 0-23/);

      // Calendars.
      expectInvalid(await create(spec({ calendars: [{}] })), 'body.spec.calendars[0]', /at least one field/);
      expectInvalid(await create(spec({ calendars: [{ hour: [25] }] })), 'body.spec.calendars[0].hour[0]', /25 is out of range 0-23/);
      expectInvalid(await create(spec({ calendars: [{ hour: [] }] })), 'body.spec.calendars[0].hour');
      expectInvalid(await create(spec({ calendars: [{ minute: '*/5' }] })), 'body.spec.calendars[0].minute');
      expectInvalid(await create(spec({ calendars: [{ hour: [3], month: ['FOO'] }] })), 'body.spec.calendars[0].month[0]', /"FOO" is not one of JAN/);
      expectInvalid(await create(spec({ calendars: [{ hour: [3], dayOfWeek: [{ start: 'FRI', end: 'MON' }] }] })), 'body.spec.calendars[0].dayOfWeek[0]', /runs backwards/);
      expectInvalid(await create(spec({ calendars: [{ hour: [{ start: 5, step: 2 }] }] })), 'body.spec.calendars[0].hour[0]', /a step needs an end/);
      expectInvalid(await create(spec({ calendars: [{ hour: [3], year: [1999] }] })), 'body.spec.calendars[0].year[0]', /out of range 2000-2100/);
      expectInvalid(await create(spec({ calendars: [{ hour: [3] }, { hour: [4], dayOfMonth: [31], month: ['FEB', 'APR'] }] })), 'body.spec.calendars[1].dayOfMonth', /never fires/);

      // Intervals and the other durations.
      expectInvalid(await create(spec({ intervals: [{ every: 'hourly' }] })), 'body.spec.intervals[0].every');
      expectInvalid(await create(spec({ intervals: [{ offset: 'PT1H' }] })), 'body.spec.intervals[0].every', /required/);
      expectInvalid(await create(spec({ intervals: [{ every: 'PX' }] })), 'body.spec.intervals[0].every', /positive ISO 8601 duration/);
      expectInvalid(await create(spec({ intervals: [{ every: 'P1M' }] })), 'body.spec.intervals[0].every', /fixed length/);
      expectInvalid(await create(spec({ intervals: [{ every: 'PT1.5S' }] })), 'body.spec.intervals[0].every', /whole number of seconds/);
      expectInvalid(await create(spec({ intervals: [{ every: 'P1D' }, { every: 'PT1H', offset: 'PT2H' }] })), 'body.spec.intervals[1].offset', /shorter than every/);
      expectInvalid(await create(spec({ cron: ['@daily'], catchupWindow: 'PT5S' })), 'body.spec.catchupWindow', /at least PT10S/);
      expectInvalid(await create(spec({ cron: ['@daily'], catchupWindow: 'P1M' })), 'body.spec.catchupWindow', /fixed length/);
      expectInvalid(await create(spec({ cron: ['@daily'], jitter: 'P1Y' })), 'body.spec.jitter', /fixed length/);
      expectInvalid(await create(spec({ cron: ['@daily'], jitter: 'soon' })), 'body.spec.jitter');

      // Time zone and bounds.
      expectInvalid(await create(spec({ cron: ['@daily'], timeZone: 'Mars/Olympus_Mons' })), 'body.spec.timeZone', /IANA time zone/);
      expectInvalid(await create(spec({ cron: ['@daily'], timeZone: '+01:00' })), 'body.spec.timeZone', /IANA time zone/);
      expectInvalid(await create(spec({ cron: ['@daily'], timeZone: '' })), 'body.spec.timeZone');
      expectInvalid(await create(spec({ cron: ['@daily'], startAt: 'tomorrow' })), 'body.spec.startAt');
      expectInvalid(await create(spec({ cron: ['@daily'], startAt: '2027-02-01T00:00:00Z', endAt: '2027-01-01T00:00:00Z' })), 'body.spec.endAt', /after startAt/);

      // Every problem at once, the corrective-action settings' included.
      const many = problemOf(await create(schedule({ spec: { cron: ['0 25 * * *'], timeZone: 'Nowhere/Else', catchupWindow: 'PT1S' }, correctiveActions: { owner: 'prn_nobody' } })), 400);
      expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.correctiveActions.owner', 'body.spec.catchupWindow', 'body.spec.cron[0]', 'body.spec.timeZone']);

      // A name that is taken.
      const taken = problemOf(await create({ scheduleId: existing, spec: { intervals: [{ every: 'PT1H' }] } }), 409);
      expect(taken.detail).toMatch(new RegExp(`${existing} exists already`));

      await noSuchSchedule(refused);
      expect({ ...(await everything()), schedule: await existingSchedule() }).toEqual(before);
    });

    it('refuses bad pauses, triggers, backfills and deletes, and the schedule stays as it was', async () => {
      const before = { ...(await everything()), schedule: await existingSchedule() };
      expect(before.schedule).toMatchObject({ paused: true, note: 'Not yet', runs: 0 });

      for (const action of ['pause', 'unpause']) {
        const url = `/audit-schedules/${existing}/${action}`;
        expectInvalid(await post(url, {}), 'body.note', /required/);
        expectInvalid(await post(url, { note: '' }), 'body.note');
        expectInvalid(await post(url, { note: 7 }), 'body.note');
        expectInvalid(await post(url, { note: 'x'.repeat(501) }), 'body.note');
        expectInvalid(await post(url, { note: 'Maintenance', until: inAnHour() }), 'body.until', /not a known field/);
        expectInvalid(await post(url, { note: 'Maintenance', $set: { paused: false } }), 'body.$set');
        expectInvalid(await post(`/audit-schedules/Not_A_Schedule/${action}`, { note: 'Maintenance' }), 'params.scheduleId');
        expect(problemOf(await post(`/audit-schedules/${prefix}-missing/${action}`, { note: 'Maintenance' }), 404).detail).toMatch(/Audit schedule .* does not exist/);
      }

      const backfill = (body: unknown, id = existing) => post(`/audit-schedules/${id}/backfill`, body);
      expectInvalid(await backfill({ start: hoursAgo(2), end: inAnHour() }), 'body.end', /must not be in the future/);
      expectInvalid(await backfill({ start: hoursAgo(1), end: hoursAgo(2) }), 'body.end', /must be after start/);
      expectInvalid(await backfill({ start: hoursAgo(1), end: hoursAgo(1) }), 'body.end', /must be after start/);
      expectInvalid(await backfill({ start: hoursAgo(24 * 400), end: hoursAgo(1) }), 'body.start', /at most 366 days/);
      expectInvalid(await backfill({ start: 'yesterday', end: hoursAgo(1) }), 'body.start');
      expectInvalid(await backfill({ start: '2026-01-01T00:00:00', end: hoursAgo(1) }), 'body.start');
      expectInvalid(await backfill({ start: hoursAgo(2) }), 'body.end', /required/);
      expectInvalid(await backfill({ start: hoursAgo(2), end: hoursAgo(1), overlap: 'allow' }), 'body.overlap', /not a known field/);
      expectInvalid(await backfill({ start: hoursAgo(2), end: hoursAgo(1), $where: '1' }), 'body.$where');
      expectInvalid(await backfill({ start: hoursAgo(2), end: hoursAgo(1) }, 'Not_A_Schedule'), 'params.scheduleId');
      problemOf(await backfill({ start: hoursAgo(2), end: hoursAgo(1) }, `${prefix}-missing`), 404);

      expectInvalid(await post('/audit-schedules/Not_A_Schedule/trigger'), 'params.scheduleId');
      problemOf(await post(`/audit-schedules/${prefix}-missing/trigger`), 404);
      expectInvalid(await send('DELETE', '/audit-schedules/Not_A_Schedule'), 'params.scheduleId');
      problemOf(await send('DELETE', `/audit-schedules/${prefix}-missing`), 404);
      expectInvalid(await get('/audit-schedules/Not_A_Schedule'), 'params.scheduleId');
      expectInvalid(await get(`/audit-schedules/${'x'.repeat(64)}`), 'params.scheduleId');
      await noSuchSchedule(`${prefix}-missing`);

      expect({ ...(await everything()), schedule: await existingSchedule() }).toEqual(before);
    });
  });

  describe('cleansing', () => {
    it('refuses a bad cleansing request, and starts no cleansing', async () => {
      const before = await everything();
      const cleanse = (runId: string, body: unknown, headers?: Record<string, string>) => post(`/audits/${runId}/cleansing`, body, officer.token, headers);

      expectInvalid(await cleanse(accuracyRun, { surprise: 1 }), 'body.surprise', /not a known field/);
      expectInvalid(await cleanse(accuracyRun, { runId: integrityRun }), 'body.runId', /not a known field/);
      expectInvalid(await cleanse(accuracyRun, { requestedBy: { id: secondOfficer.principalId, type: 'person' } }), 'body.requestedBy', /not a known field/);
      expectInvalid(await cleanse(accuracyRun, { $where: 'sleep(1000)' }), 'body.$where');
      expectInvalid(await cleanse(accuracyRun, { fixes: [{ $ne: null }] }), 'body.fixes[0].$ne');
      expectInvalid(await cleanse(accuracyRun, { fixes: ['rewrite-everything'] }), 'body.fixes[0]');
      expectInvalid(await cleanse(accuracyRun, { fixes: 'email-normalise' }), 'body.fixes');
      expectInvalid(await cleanse(accuracyRun, { fixes: [] }), 'body.fixes');
      expectInvalid(await cleanse(accuracyRun, { fixes: ['email-normalise', 'email-normalise'] }), 'body.fixes');
      expectInvalid(await cleanse(accuracyRun, { validFor: 'two weeks' }), 'body.validFor');
      expectInvalid(await cleanse(accuracyRun, { validFor: 14 }), 'body.validFor');
      for (const validFor of ['PX', 'P0D', 'P-1D', 'P999999Y']) expectInvalid(await cleanse(accuracyRun, { validFor }), 'body.validFor');
      expectInvalid(await cleanse(accuracyRun, {}, { 'idempotency-key': 'short' }), 'headers.idempotency-key');
      expectInvalid(await cleanse('not-a-run', {}), 'params.runId');
      expect(problemOf(await cleanse('audit_nonexistent', {}), 404).detail).toMatch(/Audit run audit_nonexistent does not exist/);
      expect(problemOf(await cleanse(runningRun, {}), 409).detail).toMatch(/still running/);
      expect(problemOf(await cleanse(integrityRun, {}), 422).detail).toMatch(/did not check data accuracy/);
      // A key reused for a different request.
      expect(problemOf(await cleanse(accuracyRun, { fixes: ['phone-e164'] }, { 'idempotency-key': cleansingKey }), 409).detail).toMatch(/Idempotency-Key/);

      expect(await everything()).toEqual(before);
      // The same key and request is the same cleansing, not a second one.
      expect(await ok(await cleanse(accuracyRun, {}, { 'idempotency-key': cleansingKey }), 202)).toEqual({ cleansingId });
      expect(await everything()).toEqual(before);
    });

    it('refuses bad cleansing ids, queries and decisions, and decides nothing', async () => {
      const state = async () => ok<{ status: string; decision?: unknown; changes: number }>(await get(`/cleansing/${cleansingId}`), 200);
      const before = { ...(await everything()), state: await state(), trail: await evidenceCount(cleansingId) };
      expect(before.state).toMatchObject({ status: 'previewed', changes: 3 });
      const decide = (id: string, body: unknown, token = secondOfficer.token) => post(`/cleansing/${id}/decision`, body, token);

      expectInvalid(await get('/cleansing/cln_x'), 'params.cleansingId');
      expectInvalid(await get('/cleansing/not-a-cleansing'), 'params.cleansingId');
      expect(problemOf(await get('/cleansing/cln_doesnotexist0'), 404).detail).toMatch(/Cleansing run cln_doesnotexist0 does not exist/);
      expectInvalid(await get(`/cleansing/${cleansingId}/changes?limit=0`, officer.token), 'querystring.limit');
      expectInvalid(await get(`/cleansing/${cleansingId}/changes?after=${encodeURIComponent('a b')}`, officer.token), 'querystring.after');
      expectInvalid(await get(`/cleansing/${cleansingId}/changes?field=email`, officer.token), 'querystring.field', /not a known field/);
      expectInvalid(await get('/cleansing/cln_x/changes', officer.token), 'params.cleansingId');

      expectInvalid(await decide(cleansingId, {}), 'body.decision', /required/);
      expectInvalid(await decide(cleansingId, { decision: 'maybe' }), 'body.decision');
      expectInvalid(await decide(cleansingId, { decision: true }), 'body.decision');
      expectInvalid(await decide(cleansingId, { decision: 'approve', reason: 5 }), 'body.reason');
      expectInvalid(await decide(cleansingId, { decision: 'approve', reason: '' }), 'body.reason');
      expectInvalid(await decide(cleansingId, { decision: 'approve', by: { id: officer.principalId, type: 'person' } }), 'body.by', /not a known field/);
      expectInvalid(await decide(cleansingId, { decision: 'approve', $set: { status: 'approved' } }), 'body.$set');
      expectInvalid(await decide('cln_x', { decision: 'approve' }), 'params.cleansingId');
      // A decision on a cleansing that does not exist.
      expect(problemOf(await decide('cln_doesnotexist0', { decision: 'approve' }), 404).detail).toMatch(/cln_doesnotexist0 does not exist/);
      // The dry run's rules: a rejection needs its reason, and the requester never decides.
      expect(problemOf(await decide(cleansingId, { decision: 'reject' }), 422).detail).toMatch(/a reason is required to reject/);
      expect(problemOf(await decide(cleansingId, { decision: 'reject', reason: '   ' }), 422).detail).toMatch(/a reason is required to reject/);
      expect(problemOf(await decide(cleansingId, { decision: 'approve' }, officer.token), 422).detail).toMatch(/four-eyes/);

      expect({ ...(await everything()), state: await state(), trail: await evidenceCount(cleansingId) }).toEqual(before);
    });

    it('refuses a second decision and a replayed key with another request once the cleansing has ended, and starts nothing', async () => {
      expect(await ok<{ status: string }>(await post(`/cleansing/${cleansingId}/decision`, { decision: 'reject', reason: 'Ask the subjects first.' }, secondOfficer.token), 200)).toMatchObject({ status: 'rejected' });
      const handle = api.temporal.workflow.getHandle(cleansingId);
      await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 30_000, 'the cleansing workflow to end');
      const before = { ...(await everything()), state: await ok(await get(`/cleansing/${cleansingId}`), 200) };
      expect(before.state).toMatchObject({ status: 'rejected' });

      expect(problemOf(await post(`/cleansing/${cleansingId}/decision`, { decision: 'approve' }, admin.token), 409).detail).toMatch(/already rejected/);
      const cleanse = (body: object) => post(`/audits/${accuracyRun}/cleansing`, body, officer.token, { 'idempotency-key': cleansingKey });
      expect(problemOf(await cleanse({ fixes: ['phone-e164'] }), 409).detail).toMatch(/Idempotency-Key was already used with a different request/);
      expect(await ok(await cleanse({}), 202)).toEqual({ cleansingId });

      expect({ ...(await everything()), state: await ok(await get(`/cleansing/${cleansingId}`), 200) }).toEqual(before);
    });

  });

  describe('corrective actions', () => {
    const view = async (actionId: string) => ok<ActionView>(await get(`/corrective-actions/${actionId}`), 200);
    const trace = async (actionId: string) => {
      const { status, evidence, verification, riskAcceptance } = await view(actionId);
      return { status, evidence: evidence.length, verification, riskAcceptance, trail: await evidenceCount(actionId) };
    };

    it('refuses bad ids, filters and steps, and the action stays as it was', async () => {
      const actionId = actions.emailInvalid;
      const before = await trace(actionId);
      expect(before).toMatchObject({ status: 'open', evidence: 0 });
      const step = (path: string, body: unknown, id = actionId, token = officer.token) => post(`/corrective-actions/${id}/${path}`, body, token);

      expectInvalid(await get('/corrective-actions?status=done'), 'querystring.status');
      expectInvalid(await get('/corrective-actions?limit=0'), 'querystring.limit');
      expectInvalid(await get(`/corrective-actions?after=${encodeURIComponent('a b')}`), 'querystring.after');
      expectInvalid(await get('/corrective-actions?owner=me'), 'querystring.owner', /not a known field/);
      expectInvalid(await get('/corrective-actions/ca_x'), 'params.actionId');
      expectInvalid(await get('/corrective-actions/not-an-action'), 'params.actionId');
      expect(problemOf(await get('/corrective-actions/ca_doesnotexist0'), 404).detail).toMatch(/Corrective action ca_doesnotexist0 does not exist/);
      // Staff see only the actions they own: another's is as good as missing.
      problemOf(await get(`/corrective-actions/${actionId}`, otherStaff.token), 404);
      problemOf(await step('evidence', { note: 'Fixed it.' }, actionId, otherStaff.token), 404);

      expectInvalid(await step('evidence', {}), 'body.note', /required/);
      expectInvalid(await step('evidence', { note: '' }), 'body.note');
      expectInvalid(await step('evidence', { note: 42 }), 'body.note');
      expectInvalid(await step('evidence', { note: 'Fixed.', links: 'https://tickets.example/CRM-1' }), 'body.links');
      expectInvalid(await step('evidence', { note: 'Fixed.', links: ['https://tickets.example/CRM-1', 'not a url'] }), 'body.links[1]');
      expectInvalid(await step('evidence', { note: 'Fixed.', by: staff.principalId }), 'body.by', /not a known field/);
      expectInvalid(await step('evidence', { note: 'Fixed.', status: 'closed' }), 'body.status', /not a known field/);
      expectInvalid(await step('evidence', { note: 'Fixed.', $set: { status: 'closed' } }), 'body.$set');
      expectInvalid(await step('evidence', { note: 'Fixed.', 'verification.outcome': 'verified' }), 'body.verification.outcome');
      expect(problemOf(await step('evidence', { note: '   ' }), 422).detail).toMatch(/a note describing the evidence is required/);
      expectInvalid(await step('evidence', { note: 'Fixed.', links: [' '] }), 'body.links[0]');

      expectInvalid(await step('verification', { outcome: 'approved', note: 'Looks fine.' }), 'body.outcome');
      expectInvalid(await step('verification', { outcome: 'verified' }), 'body.note', /required/);
      expectInvalid(await step('verification', { outcome: 'verified', note: 'Fine.', by: secondOfficer.principalId }), 'body.by', /not a known field/);
      expect(problemOf(await step('verification', { outcome: 'verified', note: 'Looks fine.' }), 422).detail).toMatch(/there is no evidence to verify/);

      expectInvalid(await step('risk-acceptance', {}), 'body.reason', /required/);
      expectInvalid(await step('risk-acceptance', { reason: 'Legacy records, deleted soon.', approver: secondOfficer.principalId }), 'body.approver', /not a known field/);
      expect(problemOf(await step('risk-acceptance', { reason: 'too short' }), 422).detail).toMatch(/at least 10 characters/);

      for (const path of ['evidence', 'verification', 'risk-acceptance']) {
        expectInvalid(await step(path, bodyFor(path), 'ca_x'), 'params.actionId');
        expect(problemOf(await step(path, bodyFor(path), 'ca_doesnotexist0'), 404).detail).toMatch(/Corrective action ca_doesnotexist0 does not exist/);
      }

      expect(await trace(actionId)).toEqual(before);
    });

    it('refuses every step on an action whose risk was accepted (409), and records nothing more', async () => {
      const actionId = actions.countryMissing;
      expect((await ok<ActionView>(await post(`/corrective-actions/${actionId}/risk-acceptance`, { reason: 'Legacy records, erased at the end of the quarter.' }), 200)).status).toBe('risk-accepted');
      // The saved action catches up with its workflow.
      await eventually(async () => ((await api.stores.correctiveActions.get(actionId))?.status === 'risk-accepted' ? true : undefined), 10_000, 'the saved risk acceptance');
      const before = await eventually(async () => {
        const t = await trace(actionId);
        return t.trail > 0 && (await evidenceCount(actionId)) === t.trail ? t : undefined;
      });
      for (const path of ['evidence', 'verification', 'risk-acceptance']) {
        const refusal = problemOf(await post(`/corrective-actions/${actionId}/${path}`, bodyFor(path), path === 'evidence' ? staff.token : secondOfficer.token), 409);
        expect(refusal.detail).toMatch(/already risk-accepted/);
      }
      expect(await trace(actionId)).toEqual(before);
    });
  });

  describe('principals', () => {
    async function principals() {
      return { principals: await api.database.db.collection('principals').countDocuments(), evidence: await evidenceCount() };
    }

    it('refuses an expiry in the past and an owner who is not an existing person, and creates or changes nothing', async () => {
      const system = await api.stores.principals.create({ kind: 'system', name: 'Ticketing', roles: ['system'], createdBy: 'test' });
      const view = async (id: string) => ok<Record<string, unknown>>(await send('GET', `/principals/${id}`, undefined, admin.token), 200);
      const before = { ...(await principals()), system: await view(system.id) };
      const person = { kind: 'person', name: 'External Auditor', email: 'external.auditor@audit.example', roles: ['auditor'] };
      const create = (over: Record<string, unknown>) => send('POST', '/principals', { ...person, ...over }, admin.token);
      const change = (over: Record<string, unknown>) => send('PATCH', `/principals/${system.id}`, over, admin.token);

      expectInvalid(await create({ ownerId: officer.principalId, expiresAt: hoursAgo(1) }), 'body.expiresAt', /must be in the future/);
      expectInvalid(await create({ expiresAt: new Date(Date.now() - 1000).toISOString() }), 'body.expiresAt', /must be in the future/);
      expectInvalid(await create({ expiresAt: 'next week' }), 'body.expiresAt');
      expectInvalid(await create({ expiresAt: '2030-01-01' }), 'body.expiresAt');
      expectInvalid(await create({ ownerId: 'prn_nobody', expiresAt: inAnHour() }), 'body.ownerId', /existing person/);
      expectInvalid(await create({ ownerId: system.id }), 'body.ownerId', /existing person/);
      expectInvalid(await create({ ownerId: 'not an id!' }), 'body.ownerId');
      expectInvalid(await create({ ownerId: 42 }), 'body.ownerId');
      expectInvalid(await create({ ownerId: { $ne: null } }), 'body.ownerId.$ne');
      expectInvalid(await create({ owner: officer.principalId }), 'body.owner', /not a known field/);

      expectInvalid(await change({ expiresAt: hoursAgo(1) }), 'body.expiresAt', /must be in the future/);
      expectInvalid(await change({ ownerId: 'prn_nobody' }), 'body.ownerId', /existing person/);
      expectInvalid(await change({ ownerId: system.id }), 'body.ownerId', /existing person/);
      expectInvalid(await change({ ownerId: 'not an id!' }), 'body.ownerId');
      problemOf(await send('PATCH', '/principals/prn_nobody', { ownerId: officer.principalId }, admin.token), 404);

      expect({ ...(await principals()), system: await view(system.id) }).toEqual(before);
    });
  });
});

/** A valid body for each corrective-action step. */
function bodyFor(path: string): object {
  if (path === 'evidence') return { note: 'Fixed the records.' };
  if (path === 'verification') return { outcome: 'verified', note: 'Checked the records.' };
  return { reason: 'Legacy records, erased at the end of the quarter.' };
}
