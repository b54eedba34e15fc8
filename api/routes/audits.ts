import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { Readable } from 'node:stream';
import { renderHtml, reportCsvHeader, reportCsvRow, summarise, type ReportFinding } from '../../domain/audit/report';
import type { Role } from '../../domain/roles';
import { SA } from '../../platform/search-attributes';
import type { AuditRun, Finding } from '../../store/audits';
import { auditProgressQuery, auditRunWorkflow, type AuditRunInput } from '../../workflows/audit';
import { cleansingWorkflow } from '../../workflows/cleansing';
import { CheckSchema, CleansingBody, correctiveActionProblems, isBoundedDuration, LaunchBody } from '../audit-schemas';
import { assertSameRequest, processId, requestHash } from '../idempotency';
import { problems } from '../problem';
import { IdempotencyKeyHeader, Limit, OpaqueId, Strict, withErrors } from '../schemas';

const LAUNCHERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...LAUNCHERS, 'auditor'];
/** The HTML report is for reading: beyond this many findings it points to the CSV and JSON, which have them all. */
const HTML_FINDINGS = 1000;

const RunParams = Strict({ runId: Type.String({ pattern: '^audit[A-Za-z0-9_.:-]{1,200}$', description: 'Audit run id' }) });

/** Audit runs: launched here ad hoc or by a schedule; their reports, findings and cleansing. */
const audits: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config, stores } = app.deps;

  app.post(
    '/',
    { config: { roles: LAUNCHERS }, schema: { tags: ['audits'], summary: 'Launch an audit now (all checks unless scoped)', headers: IdempotencyKeyHeader, body: LaunchBody, response: withErrors({ 202: Type.Object({ runId: Type.String() }) }) } },
    async (request, reply) => {
      const errors = await correctiveActionProblems(request.body.correctiveActions, stores.principals);
      if (errors.length > 0) throw problems.invalid(errors);
      const principal = request.principal!;
      const runId = processId('audit', principal.id, request.headers['idempotency-key']);
      const hash = requestHash(request.body);
      const input: AuditRunInput = { trigger: { kind: 'ad-hoc', by: principal.id }, scope: request.body.scope ?? {}, ...(request.body.correctiveActions && { correctiveActions: request.body.correctiveActions }) };
      try {
        await temporal.workflow.start(auditRunWorkflow, { workflowId: runId, taskQueue: config.taskQueue, args: [input], memo: { requestHash: hash }, typedSearchAttributes: [{ key: SA.process, value: 'audit' }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, runId, hash);
      }
      return reply.status(202).header('location', `/audits/${runId}`).send({ runId });
    },
  );

  app.get(
    '/',
    { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'Audit runs, newest first', querystring: Strict({ limit: Limit, before: Type.Optional(Type.String({ format: 'date-time', description: 'Cursor: startedAt of the last run of the previous page' })) }) } },
    async (request) => {
      const items = await stores.audits.list({ before: request.query.before, limit: request.query.limit });
      return { items, ...(items.length === request.query.limit && { next: items[items.length - 1].startedAt }) };
    },
  );

  app.get('/:runId', { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'An audit run: status, per-check results and progress', params: RunParams } }, async (request) => {
    const run = await runOr404(request.params.runId);
    if (run.status !== 'running') return run;
    // While it runs, the workflow knows which check it is on.
    const progress = await temporal.workflow.getHandle(run.runId).query(auditProgressQuery).catch(() => undefined);
    return { ...run, ...(progress && { phase: progress.phase, current: progress.current }) };
  });

  app.get(
    '/:runId/findings',
    {
      config: { roles: READERS },
      schema: { tags: ['audits'], summary: 'The findings of a run, a page at a time', params: RunParams, querystring: Strict({ check: Type.Optional(CheckSchema), rule: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,80}$' })), limit: Limit, after: Type.Optional(OpaqueId('Cursor: last finding id of the previous page')) }) },
    },
    async (request) => {
      await runOr404(request.params.runId);
      const { check, rule, limit, after } = request.query;
      const items: ReportFinding[] = [];
      for await (const finding of reportFindings(request.params.runId, { check, rule })) {
        if (after && finding.id <= after) continue;
        items.push(finding);
        if (items.length === limit) break;
      }
      return { items, ...(items.length === limit && { next: items[items.length - 1].id }) };
    },
  );

  app.get(
    '/:runId/report',
    {
      config: { roles: READERS },
      schema: { tags: ['audits'], summary: 'The audit report as JSON, CSV or printable HTML', params: RunParams, querystring: Strict({ format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('html')], { default: 'json' }) }), produces: ['application/json', 'text/csv', 'text/html'] },
    },
    async (request, reply) => {
      const run = await runOr404(request.params.runId);
      const runId = run.runId;
      if (request.query.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${runId}.csv"`);
        return reply.send(Readable.from(csvLines(runId)));
      }
      const summary = summarise(run, await collect(reportFindings(runId)));
      if (request.query.format === 'html') {
        const shown = await collect(reportFindings(runId), HTML_FINDINGS);
        reply.header('content-type', 'text/html; charset=utf-8');
        return renderHtml(run, summary, shown, { generatedAt: new Date().toISOString(), ...(summary.total > HTML_FINDINGS && { truncatedAfter: HTML_FINDINGS }) });
      }
      reply.header('content-type', 'application/json; charset=utf-8');
      return reply.send(Readable.from(jsonReport(run, summary)));
    },
  );

  app.post(
    '/:runId/cleansing',
    { config: { roles: LAUNCHERS }, schema: { tags: ['audits'], summary: 'Dry-run the automatic fixes of a run\'s findings; another person approves before anything changes', params: RunParams, headers: IdempotencyKeyHeader, body: CleansingBody, response: withErrors({ 202: Type.Object({ cleansingId: Type.String() }) }) } },
    async (request, reply) => {
      const run = await runOr404(request.params.runId);
      if (run.status === 'running') throw problems.conflict('The audit is still running; cleanse once its findings are complete.');
      if (!run.scope.checks.includes('data-accuracy')) throw problems.unprocessable('Only data-accuracy findings can be fixed automatically, and this run did not check data accuracy.');
      if (request.body.validFor !== undefined && !isBoundedDuration(request.body.validFor, 1)) throw problems.invalid([{ field: 'body.validFor', message: 'must be a positive ISO 8601 duration of at most a year' }]);
      const principal = request.principal!;
      const cleansingId = processId('cln', principal.id, request.headers['idempotency-key']);
      const hash = requestHash({ runId: run.runId, ...request.body });
      try {
        await temporal.workflow.start(cleansingWorkflow, {
          workflowId: cleansingId,
          taskQueue: config.taskQueue,
          args: [{ cleansingId, runId: run.runId, requestedBy: { id: principal.id, type: principal.kind }, ...request.body }],
          memo: { requestHash: hash },
          typedSearchAttributes: [{ key: SA.process, value: 'cleansing' }, { key: SA.resourceId, value: run.runId }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, cleansingId, hash);
      }
      return reply.status(202).header('location', `/cleansing/${cleansingId}`).send({ cleansingId });
    },
  );

  async function runOr404(runId: string): Promise<AuditRun> {
    const run = await stores.audits.run(runId);
    if (!run) throw problems.notFound(`Audit run ${runId}`);
    return run;
  }

  /** Findings with their corrective action's current status (looked up once per action). */
  async function* reportFindings(runId: string, filter: { check?: Finding['check']; rule?: string } = {}): AsyncGenerator<ReportFinding> {
    const actions = new Map<string, ReportFinding['correctiveAction'] | null>();
    for await (const finding of stores.audits.findingsOf(runId, filter)) {
      const { correctiveActionId, key: _key, at: _at, ...rest } = finding;
      if (correctiveActionId && !actions.has(correctiveActionId)) {
        const action = await stores.correctiveActions.get(correctiveActionId);
        actions.set(correctiveActionId, action ? { id: action.id, status: action.status, dueAt: action.dueAt, owner: action.owner } : null);
      }
      const action = correctiveActionId ? actions.get(correctiveActionId) : undefined;
      yield { ...rest, ...(action && { correctiveAction: action }) };
    }
  }

  async function* csvLines(runId: string): AsyncGenerator<string> {
    yield `${reportCsvHeader()}\n`;
    for await (const finding of reportFindings(runId)) yield `${reportCsvRow(finding)}\n`;
  }

  /** The JSON report streamed: the summary, then every finding, without holding them all as one string. */
  async function* jsonReport(run: AuditRun, summary: ReturnType<typeof summarise>): AsyncGenerator<string> {
    yield `{"run":${JSON.stringify(run)},"summary":${JSON.stringify(summary)},"findings":[`;
    let first = true;
    for await (const finding of reportFindings(run.runId)) {
      yield `${first ? '' : ','}${JSON.stringify(finding)}`;
      first = false;
    }
    yield ']}';
  }
};

async function collect<T>(source: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) {
    if (items.length >= limit) break;
    items.push(item);
  }
  return items;
}

export default audits;
