import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DAYS_OF_WEEK, MONTHS, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type CalendarSpec, type ScheduleDescription, type ScheduleSpec } from '@temporalio/client';
import { validateBackfill, validateSchedule, type CalendarRange, type NormalisedSchedule, type ScheduleRequest } from '../../domain/audit/schedule';
import type { Role } from '../../domain/roles';
import { auditRunWorkflow, type AuditRunInput } from '../../workflows/audit';
import { BackfillBody, correctiveActionProblems, CreateScheduleBody, NoteBody } from '../audit-schemas';
import { problems } from '../problem';
import { recordChange } from '../record';
import { Strict, withErrors } from '../schemas';

const MANAGERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...MANAGERS, 'auditor'];
const PREFIX = 'audit-schedule-';

const ScheduleParams = Strict({ scheduleId: CreateScheduleBody.properties.scheduleId });

/**
 * Recurring audits are Temporal Schedules: the server starts each run on time (skipping one while the last still
 * runs), catches up runs missed during an outage within the catch-up window, and keeps pause notes and run history.
 */
const auditSchedules: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config, stores } = app.deps;

  app.post(
    '/',
    { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Create a recurring audit (interval, calendar or cron in a time zone)', body: CreateScheduleBody, response: withErrors({ 201: Type.Object({}, { additionalProperties: true }) }) } },
    async (request, reply) => {
      const body = request.body;
      const checked = validateSchedule(body.spec as ScheduleRequest);
      const errors = [...(checked.ok ? [] : checked.problems.map((p) => ({ field: `body.spec.${p.field}`, message: p.message }))), ...(await correctiveActionProblems(body.correctiveActions, stores.principals))];
      if (!checked.ok || errors.length > 0) throw problems.invalid(errors);
      const principal = request.principal!;
      const input: AuditRunInput = { trigger: { kind: 'schedule', scheduleId: body.scheduleId, by: principal.id }, scope: body.scope ?? {}, ...(body.correctiveActions && { correctiveActions: body.correctiveActions }) };
      try {
        await temporal.schedule.create({
          scheduleId: PREFIX + body.scheduleId,
          spec: temporalSpec(checked.value),
          action: { type: 'startWorkflow', workflowType: auditRunWorkflow, workflowId: `audit-${body.scheduleId}`, taskQueue: config.taskQueue, args: [input] },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: checked.value.catchupWindow.ms },
          state: { paused: body.paused ?? false, ...(body.note && { note: body.note }) },
          memo: { description: body.description ?? '', createdBy: principal.id, spec: body.spec },
        });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning) throw problems.conflict(`A schedule named ${body.scheduleId} exists already.`);
        throw err;
      }
      await recordChange(request, { key: `audit-schedule.created:${body.scheduleId}:${request.id}`, action: 'audit-schedule.created', resource: { type: 'audit-schedule', id: body.scheduleId }, data: { spec: body.spec, scope: body.scope ?? {} } });
      return reply.status(201).send(await view(body.scheduleId));
    },
  );

  app.get('/', { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'Recurring audits with their next run times' } }, async () => {
    const items = [];
    for await (const summary of temporal.schedule.list()) {
      if (!summary.scheduleId.startsWith(PREFIX)) continue;
      items.push({
        scheduleId: summary.scheduleId.slice(PREFIX.length),
        description: (summary.memo as { description?: string } | undefined)?.description ?? '',
        paused: summary.state.paused,
        note: summary.state.note ?? '',
        nextRuns: (summary.info?.nextActionTimes ?? []).map((d) => d.toISOString()),
      });
    }
    return { items: items.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId)) };
  });

  app.get('/:scheduleId', { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'A recurring audit: spec, state, next run times, recent runs', params: ScheduleParams } }, async (request) => view(request.params.scheduleId));

  const actions = [
    { path: '/:scheduleId/pause', summary: 'Pause: no run starts until unpaused (the note says why)', act: (h: Handle, note: string) => h.pause(note) },
    { path: '/:scheduleId/unpause', summary: 'Unpause', act: (h: Handle, note: string) => h.unpause(note) },
  ];
  for (const action of actions) {
    app.post(action.path, { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: action.summary, params: ScheduleParams, body: NoteBody } }, async (request) => {
      const name = action.path.split('/').pop()!;
      await act(request.params.scheduleId, (h) => action.act(h, request.body.note));
      await recordChange(request, { key: `audit-schedule.${name}:${request.params.scheduleId}:${request.id}`, action: `audit-schedule.${name}d`, resource: { type: 'audit-schedule', id: request.params.scheduleId }, data: { note: request.body.note } });
      return view(request.params.scheduleId);
    });
  }

  app.post(
    '/:scheduleId/trigger',
    { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Run now (skipped if a run of this schedule is still going)', params: ScheduleParams } },
    async (request, reply) => {
      await act(request.params.scheduleId, (h) => h.trigger());
      await recordChange(request, { key: `audit-schedule.triggered:${request.params.scheduleId}:${request.id}`, action: 'audit-schedule.triggered', resource: { type: 'audit-schedule', id: request.params.scheduleId }, data: {} });
      return reply.status(202).send(await view(request.params.scheduleId));
    },
  );

  app.post(
    '/:scheduleId/backfill',
    { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Run the audits the schedule would have run between start and end, one after another', params: ScheduleParams, body: BackfillBody } },
    async (request, reply) => {
      const checked = validateBackfill(request.body, new Date().toISOString());
      if (!checked.ok) throw problems.invalid(checked.problems.map((p) => ({ field: `body.${p.field}`, message: p.message })));
      // Buffered, not skipped: each replayed run waits for the one before it instead of being dropped.
      await act(request.params.scheduleId, (h) => h.backfill([{ start: new Date(checked.value.start), end: new Date(checked.value.end), overlap: ScheduleOverlapPolicy.BUFFER_ALL }]));
      await recordChange(request, { key: `audit-schedule.backfilled:${request.params.scheduleId}:${request.id}`, action: 'audit-schedule.backfilled', resource: { type: 'audit-schedule', id: request.params.scheduleId }, data: checked.value });
      return reply.status(202).send(await view(request.params.scheduleId));
    },
  );

  app.delete('/:scheduleId', { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Delete the schedule (its past runs and reports stay)', params: ScheduleParams } }, async (request, reply) => {
    await act(request.params.scheduleId, (h) => h.delete());
    await recordChange(request, { key: `audit-schedule.deleted:${request.params.scheduleId}:${request.id}`, action: 'audit-schedule.deleted', resource: { type: 'audit-schedule', id: request.params.scheduleId }, data: {} });
    return reply.status(204).send();
  });

  type Handle = ReturnType<typeof temporal.schedule.getHandle>;

  async function act(scheduleId: string, action: (handle: Handle) => Promise<unknown>): Promise<void> {
    try {
      await action(temporal.schedule.getHandle(PREFIX + scheduleId));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw problems.notFound(`Audit schedule ${scheduleId}`);
      throw err;
    }
  }

  async function view(scheduleId: string) {
    let description: ScheduleDescription | undefined;
    await act(scheduleId, async (h) => (description = await h.describe()));
    const d = description!;
    const memo = (d.memo ?? {}) as { description?: string; createdBy?: string; spec?: unknown };
    const action = d.action as { args?: AuditRunInput[] };
    return {
      scheduleId,
      description: memo.description ?? '',
      createdBy: memo.createdBy,
      spec: memo.spec,
      scope: action.args?.[0]?.scope ?? {},
      paused: d.state.paused,
      note: d.state.note ?? '',
      overlap: 'skip',
      catchupWindowMs: d.policies.catchupWindow,
      nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
      recentRuns: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), startedAt: a.takenAt.toISOString(), runId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : undefined })),
      running: d.info.runningActions.map((a) => a.workflow.workflowId),
      runs: d.info.numActionsTaken,
      createdAt: d.info.createdAt.toISOString(),
    };
  }
};

/** The validated request in the SDK's terms: months and days of week by name, ranges as the SDK spells them. */
function temporalSpec(schedule: NormalisedSchedule): ScheduleSpec {
  const ranges = (values: CalendarRange[], names?: readonly string[]) => values.map((r) => (names ? { start: names[r.start - (names === MONTHS ? 1 : 0)], end: names[r.end - (names === MONTHS ? 1 : 0)], step: r.step } : r));
  return {
    intervals: schedule.intervals.map((i) => ({ every: i.every.ms, ...(i.offset && { offset: i.offset.ms }) })),
    calendars: schedule.calendars.map(
      (c) =>
        ({
          second: ranges(c.second),
          minute: ranges(c.minute),
          hour: ranges(c.hour),
          dayOfMonth: ranges(c.dayOfMonth),
          month: ranges(c.month, MONTHS),
          year: ranges(c.year),
          dayOfWeek: ranges(c.dayOfWeek, DAYS_OF_WEEK),
        }) as CalendarSpec,
    ),
    cronExpressions: schedule.cron,
    timezone: schedule.timeZone,
    ...(schedule.startAt && { startAt: new Date(schedule.startAt) }),
    ...(schedule.endAt && { endAt: new Date(schedule.endAt) }),
    ...(schedule.jitter && { jitter: schedule.jitter.ms }),
  };
}

export default auditSchedules;
