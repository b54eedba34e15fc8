import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { completionReport, reminderPolicyProblems, validateModule, type Assignment, type TrainingModule } from '../../domain/campaign/training';
import { csvLine } from '../../domain/csv';
import { ROLES, type Role } from '../../domain/roles';
import { SA } from '../../platform/search-attributes';
import type { TrainingCampaign } from '../../store/training';
import { assignmentQuery, completeAssignmentUpdate, type AttemptRequest } from '../../workflows/training-assignment';
import { campaignProgressQuery, trainingCampaignWorkflow } from '../../workflows/training-campaign';
import { isBoundedDuration } from '../audit-schemas';
import { assertSameRequest, processId, requestHash } from '../idempotency';
import { problems, type FieldError } from '../problem';
import { recordChange } from '../record';
import { IdempotencyKeyHeader, Strict, Text, withErrors } from '../schemas';

const MANAGERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...MANAGERS, 'auditor'];
/** Anyone who signs in may attest their own training; the workflow checks it is their own. */
const ATTESTERS: Role[] = ROLES.filter((r) => r !== 'system');
const LMS: Role[] = ['system', 'admin'];

const Duration = (description: string) => Type.String({ minLength: 2, maxLength: 40, pattern: '^P', description: `${description} (ISO 8601 duration)` });
const Slug = Type.String({ minLength: 1, maxLength: 63 });
const ModuleBody = Strict({
  moduleId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
  title: Text(200),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  content: Strict({ url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })), text: Type.Optional(Text(100_000)) }),
  quiz: Type.Optional(
    Strict({
      questions: Type.Array(Strict({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), text: Text(2000), options: Type.Array(Text(500), { minItems: 2, maxItems: 10 }), correct: Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { minItems: 1, maxItems: 10 }) }), { minItems: 1, maxItems: 100 }),
      passMark: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    }),
  ),
});
const CampaignBody = Strict({
  title: Text(200),
  moduleId: ModuleBody.properties.moduleId,
  moduleVersion: ModuleBody.properties.version,
  audience: Strict({ departments: Type.Optional(Type.Array(Slug, { maxItems: 100 })), jobRoles: Type.Optional(Type.Array(Slug, { maxItems: 100 })) }, { default: {} }),
  dueIn: Duration('Each assignment is due this long after it is made'),
  reminders: Strict({ count: Type.Integer({ minimum: 0, maximum: 10 }), spacing: Duration('Between reminders'), firstAfter: Type.Optional(Duration('From assignment to the first reminder')), escalateAfterDue: Type.Optional(Type.String({ pattern: '^P', maxLength: 40, description: 'From the due date to the manager escalation (PT0S: at once)' })) }),
  closeAfterDue: Type.Optional(Duration('Open assignments close as incomplete this long after their due date (default P30D)')),
  notifications: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('none')], { description: 'none when the LMS sends its own messages' })),
  recurrence: Type.Optional(Duration('Run again every (P1Y: annual)')),
});
const CampaignParams = Strict({ campaignId: Type.String({ pattern: '^trc_[A-Za-z0-9_-]{8,64}$' }) });
const AssignmentParams = Strict({ assignmentId: Type.String({ pattern: '^trc_[A-Za-z0-9_-]{8,64}\\.\\d{1,4}\\.stf_[A-Za-z0-9_-]{8,64}$' }) });
const Answers = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { maxItems: 10 }));

/** Training modules and campaigns, each person's assignment, attestation, and completions from the LMS. */
const training: FastifyPluginAsyncTypebox = async (app) => {
  const { stores, temporal, config } = app.deps;

  app.post('/modules', { config: { roles: MANAGERS }, schema: { tags: ['training'], summary: 'Add a module version (content, optional quiz with a pass mark)', body: ModuleBody } }, async (request, reply) => {
    const validated = validateModule(request.body as TrainingModule);
    if (!validated.ok) throw problems.invalid(validated.problems.map((p) => ({ field: `body.${p.field}`, message: p.message })));
    if (!(await stores.training.addModule(validated.value, request.principal!.id))) throw problems.conflict(`Module ${validated.value.moduleId} version ${validated.value.version} exists; versions never change, add a new one.`);
    await recordChange(request, { key: `training.module:${validated.value.moduleId}@${validated.value.version}`, action: 'training.module-added', resource: { type: 'training-module', id: `${validated.value.moduleId}@${validated.value.version}` }, data: { title: validated.value.title, quiz: validated.value.quiz !== undefined } });
    return reply.status(201).send(withoutAnswers(validated.value));
  });

  app.get('/modules', { config: { roles: READERS }, schema: { tags: ['training'], summary: 'Module versions' } }, async () => ({ items: (await stores.training.listModules()).map(withoutAnswers) }));

  app.post(
    '/campaigns',
    { config: { roles: MANAGERS }, schema: { tags: ['training'], summary: 'Start a campaign: assign the module to the audience, remind, escalate to managers', headers: IdempotencyKeyHeader, body: CampaignBody, response: withErrors({ 202: Type.Object({ campaignId: Type.String() }) }) } },
    async (request, reply) => {
      const body = request.body;
      const errors: FieldError[] = [
        ...reminderPolicyProblems(body.reminders, 'body.reminders.').map((p) => ({ field: p.field, message: p.message })),
        ...(['dueIn', 'closeAfterDue', 'recurrence'] as const).flatMap((f) => (body[f] !== undefined && !isBoundedDuration(body[f]!, 5) ? [{ field: `body.${f}`, message: 'must be a positive ISO 8601 duration of at most 5 years' }] : [])),
      ];
      if (errors.length > 0) throw problems.invalid(errors);
      if (!(await stores.training.module(body.moduleId, body.moduleVersion))) throw problems.invalid([{ field: 'body.moduleVersion', message: `module ${body.moduleId} has no version ${body.moduleVersion}` }]);
      const principal = request.principal!;
      const campaignId = processId('trc', principal.id, request.headers['idempotency-key']);
      const hash = requestHash(body);
      const campaign: TrainingCampaign = {
        campaignId,
        title: body.title,
        moduleId: body.moduleId,
        moduleVersion: body.moduleVersion,
        audience: body.audience,
        dueIn: body.dueIn,
        reminders: body.reminders,
        closeAfterDue: body.closeAfterDue ?? 'P30D',
        notifications: body.notifications ?? 'email',
        ...(body.recurrence && { recurrence: body.recurrence }),
        createdBy: principal.id,
        createdAt: new Date().toISOString(),
        status: 'running',
        cycle: 0,
      };
      await stores.training.createCampaign(campaign);
      try {
        await temporal.workflow.start(trainingCampaignWorkflow, {
          workflowId: campaignId,
          taskQueue: config.taskQueue,
          args: [{ campaignId, cycle: 0, title: campaign.title, dueIn: campaign.dueIn, closeAfterDue: campaign.closeAfterDue, ...(campaign.recurrence && { recurrence: campaign.recurrence }), createdBy: principal.id }],
          memo: { requestHash: hash },
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [{ key: SA.process, value: 'training-campaign' }, { key: SA.resourceId, value: campaignId }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, campaignId, hash);
      }
      return reply.status(202).header('location', `/training/campaigns/${campaignId}`).send({ campaignId });
    },
  );

  app.get('/campaigns', { config: { roles: READERS }, schema: { tags: ['training'], summary: 'Campaigns' } }, async () => ({ items: await stores.training.listCampaigns() }));

  app.get('/campaigns/:campaignId', { config: { roles: READERS }, schema: { tags: ['training'], summary: 'A campaign and, while it runs, its progress', params: CampaignParams } }, async (request) => {
    const campaign = await campaignOr404(request.params.campaignId);
    const progress = campaign.status === 'running' ? await temporal.workflow.getHandle(campaign.campaignId).query(campaignProgressQuery).catch(() => undefined) : undefined;
    return { ...campaign, ...(progress && { progress }) };
  });

  app.get(
    '/campaigns/:campaignId/report',
    { config: { roles: READERS }, schema: { tags: ['training'], summary: 'Completion per department and the overdue list (JSON or CSV of every assignment)', params: CampaignParams, querystring: Strict({ cycle: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999 })), format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }) }), produces: ['application/json', 'text/csv'] } },
    async (request, reply) => {
      const campaign = await campaignOr404(request.params.campaignId);
      const cycle = request.query.cycle ?? campaign.cycle;
      const departments = new Map<string, string>();
      for await (const member of stores.staff.scan()) departments.set(member.id, member.department);
      const rows: { assignment: Assignment; department: string }[] = [];
      for await (const assignment of stores.training.assignmentsOf(campaign.campaignId, cycle)) rows.push({ assignment, department: departments.get(assignment.staffId) ?? 'unknown' });
      if (request.query.format === 'csv') {
        const columns = ['assignmentId', 'staffId', 'department', 'moduleId', 'moduleVersion', 'assignedAt', 'dueAt', 'status', 'completedAt', 'completedVia', 'score', 'attempts', 'remindersSent', 'escalated'];
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${campaign.campaignId}-${cycle}.csv"`);
        const lines = rows.map(({ assignment: a, department }) => csvLine([a.assignmentId, a.staffId, department, a.moduleId, a.moduleVersion, a.assignedAt, a.dueAt, a.status, a.completedAt, a.completion?.via, a.completion?.score, a.attempts.length, a.remindersSent, a.escalated]));
        return [csvLine(columns), ...lines].join('\n') + '\n';
      }
      return { campaignId: campaign.campaignId, cycle, ...completionReport(rows, new Date().toISOString()) };
    },
  );

  app.get('/assignments/:assignmentId', { config: { roles: ATTESTERS }, schema: { tags: ['training'], summary: 'An assignment (staff see their own), with the module to complete', params: AssignmentParams } }, async (request) => {
    const { assignment, module } = await assignmentFor(request.params.assignmentId, request.principal!);
    return { ...assignment, module: withoutAnswers(module) };
  });

  app.post(
    '/assignments/:assignmentId/attest',
    { config: { roles: ATTESTERS }, schema: { tags: ['training'], summary: 'Attest your own completion, with the quiz answers if the module has a quiz', params: AssignmentParams, body: Strict({ answers: Type.Optional(Answers) }) } },
    async (request) => {
      const { assignment, staffPrincipalId } = await assignmentFor(request.params.assignmentId, request.principal!);
      return attempt(assignment, { via: 'attestation', by: request.principal!.id, ...(staffPrincipalId && { staffPrincipalId }), ...(request.body.answers && { answers: request.body.answers }) });
    },
  );

  app.post(
    '/lms-completions',
    { config: { roles: LMS }, schema: { tags: ['training'], summary: 'A completion reported by the learning management system (with its score when the module has a quiz)', body: Strict({ assignmentId: AssignmentParams.properties.assignmentId, score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })), passed: Type.Optional(Type.Boolean()) }) } },
    async (request) => {
      const { assignmentId, score, passed } = request.body;
      if ((score === undefined) !== (passed === undefined)) throw problems.invalid([{ field: score === undefined ? 'body.score' : 'body.passed', message: 'score and passed go together' }]);
      const assignment = await stores.training.assignment(assignmentId);
      if (!assignment) throw problems.notFound(`Assignment ${assignmentId}`);
      return attempt(assignment, { via: 'lms', by: request.principal!.id, ...(score !== undefined && { lmsResult: { score, passed: passed! } }) });
    },
  );

  async function campaignOr404(campaignId: string): Promise<TrainingCampaign> {
    const campaign = await stores.training.campaign(campaignId);
    if (!campaign) throw problems.notFound(`Training campaign ${campaignId}`);
    return campaign;
  }

  /** The live assignment, its module and its assignee's principal; staff reach only their own. */
  async function assignmentFor(assignmentId: string, principal: { id: string; roles: Role[] }) {
    const saved = await stores.training.assignment(assignmentId);
    const member = saved && (await stores.staff.get(saved.staffId));
    const officer = principal.roles.some((r) => MANAGERS.includes(r) || r === 'auditor');
    if (!saved || !member || (!officer && member.principalId !== principal.id)) throw problems.notFound(`Assignment ${assignmentId}`);
    const module = await stores.training.module(saved.moduleId, saved.moduleVersion);
    const live = saved.status === 'assigned' ? await temporal.workflow.getHandle(assignmentId).query(assignmentQuery).catch(() => saved) : saved;
    return { assignment: live, module: module!, staffPrincipalId: member.principalId };
  }

  async function attempt(assignment: Assignment, request: AttemptRequest) {
    try {
      const outcome = await temporal.workflow.getHandle(assignment.assignmentId).executeUpdate(completeAssignmentUpdate, { args: [request] });
      return { assignmentId: assignment.assignmentId, ...outcome };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? 'attempt refused');
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) throw problems.conflict(`The assignment is ${assignment.status === 'assigned' ? 'closed' : assignment.status}.`);
      throw err;
    }
  }
};

/** The quiz as people see it: the questions and options, never the right answers. */
function withoutAnswers(module: TrainingModule) {
  return { ...module, ...(module.quiz && { quiz: { passMark: module.quiz.passMark, questions: module.quiz.questions.map(({ correct: _correct, ...q }) => q) } }) };
}

export default training;
