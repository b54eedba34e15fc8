import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ApprovalRequest, ApprovalState } from '../../domain/approval';
import { ROLES, type Role } from '../../domain/roles';
import { SA } from '../../platform/search-attributes';
import { approvalStateQuery, approvalWorkflow, decideUpdate } from '../../workflows/approval';
import { assertSameRequest, processId, requestHash } from '../idempotency';
import { problems } from '../problem';
import { IdempotencyKeyHeader, OpaqueId, Strict, Text, withErrors } from '../schemas';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Actor = Type.Object({ id: Type.String(), type: Type.String() });
const State = Type.Object({
  approvalId: Type.String(),
  title: Type.String(),
  resource: Type.Object({ type: Type.String(), id: Type.String() }),
  status: Type.String(),
  requestedBy: Actor,
  requestedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  approverRole: Type.Optional(Type.String()),
  approverIds: Type.Array(Type.String()),
  remindersSent: Type.Integer(),
  decision: Type.Optional(Type.Object({ decision: Type.String(), reason: Type.String(), decidedBy: Actor, decidedAt: Type.String({ format: 'date-time' }) })),
});
const Params = Strict({ approvalId: Type.String({ pattern: '^apr_[A-Za-z0-9_-]{8,64}$', description: 'Approval id' }) });

const REQUESTERS: Role[] = ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder'];
const READERS: Role[] = [...REQUESTERS, 'auditor', 'staff'];
const DECIDERS: Role[] = [...REQUESTERS, 'staff'];

/** Approvals: a request for a four-eyes decision, run as a durable workflow with reminders and expiry. */
const approvals: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config } = app.deps;

  app.post(
    '/',
    {
      config: { roles: REQUESTERS },
      schema: {
        tags: ['approvals'],
        summary: 'Request an approval',
        headers: IdempotencyKeyHeader,
        body: Strict({
          title: Text(200, 'What is to be decided (no personal data)'),
          resource: Strict({ type: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }), id: OpaqueId('The thing being approved') }),
          approverRole: Type.Optional(RoleSchema),
          approverIds: Type.Array(OpaqueId('A principal who may decide'), { maxItems: 50, uniqueItems: true, default: [] }),
          notify: Type.Array(Type.String({ format: 'email', maxLength: 320 }), { maxItems: 50, uniqueItems: true, default: [], description: 'Addresses to e-mail the request, reminders and outcome to' }),
          remindEverySeconds: Type.Integer({ minimum: 1, maximum: 31_536_000, default: 86_400 }),
          maxReminders: Type.Integer({ minimum: 0, maximum: 50, default: 3 }),
          expiresInSeconds: Type.Integer({ minimum: 1, maximum: 157_680_000, default: 604_800 }),
        }),
        response: withErrors({ 201: State, 200: State }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body.approverRole && body.approverIds.length === 0) {
        throw problems.invalid([{ field: 'body.approverRole', message: 'name an approver role or at least one approver id' }]);
      }
      const principal = request.principal!;
      const hash = requestHash(body);
      const key = request.headers['idempotency-key'];
      const approvalId = processId('apr', principal.id, key);
      const input: ApprovalRequest = {
        approvalId,
        title: body.title,
        resource: body.resource,
        requestedBy: { id: principal.id, type: principal.kind },
        approverRole: body.approverRole,
        approverIds: body.approverIds,
        notify: body.notify,
        remindEverySeconds: body.remindEverySeconds,
        maxReminders: body.maxReminders,
        expiresInSeconds: body.expiresInSeconds,
        requestHash: hash,
        requestedAt: new Date().toISOString(),
      };
      try {
        const handle = await temporal.workflow.start(approvalWorkflow, {
          workflowId: workflowIdOf(approvalId),
          taskQueue: config.taskQueue,
          args: [input],
          memo: { requestHash: hash },
          typedSearchAttributes: [
            { key: SA.process, value: 'approval' },
            { key: SA.status, value: 'pending' },
            { key: SA.resourceId, value: body.resource.id },
          ],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        if (key) await assertSameRequest(temporal, handle.workflowId, hash);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, workflowIdOf(approvalId), hash);
        return reply.status(200).send(await stateOf(approvalId));
      }
      return reply.status(201).send(await stateOf(approvalId));
    },
  );

  app.get(
    '/',
    {
      config: { roles: REQUESTERS.concat('auditor') },
      schema: {
        tags: ['approvals'],
        summary: 'List approvals, newest first (from Temporal visibility, which may lag a second behind)',
        querystring: Strict({
          status: Type.Optional(Type.Union(['pending', 'approved', 'rejected', 'expired'].map((s) => Type.Literal(s)))),
          resourceId: Type.Optional(OpaqueId('Only approvals about this resource')),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(Type.Object({ approvalId: Type.String(), status: Type.String(), startedAt: Type.String({ format: 'date-time' }) })) }) }),
      },
    },
    async (request) => {
      // Values are constrained by the schema to characters that cannot break out of the quoted literal.
      const clauses = [`${SA.process.name} = 'approval'`];
      if (request.query.status) clauses.push(`${SA.status.name} = '${request.query.status}'`);
      if (request.query.resourceId) clauses.push(`${SA.resourceId.name} = '${request.query.resourceId}'`);
      const items: { approvalId: string; status: string; startedAt: string }[] = [];
      for await (const execution of temporal.workflow.list({ query: clauses.join(' AND '), pageSize: request.query.limit })) {
        items.push({
          approvalId: execution.workflowId.replace(/^approval-/, ''),
          status: String(execution.typedSearchAttributes.get(SA.status) ?? 'pending'),
          startedAt: execution.startTime.toISOString(),
        });
        if (items.length >= request.query.limit) break;
      }
      return { items };
    },
  );

  app.get(
    '/:approvalId',
    { config: { roles: READERS }, schema: { tags: ['approvals'], summary: 'Read an approval', params: Params, response: withErrors({ 200: State }) } },
    async (request) => {
      const state = await stateOf(request.params.approvalId);
      const principal = request.principal!;
      // Staff see only the approvals they requested or were asked to decide.
      if (principal.roles.every((r) => r === 'staff')) {
        if (state.requestedBy.id !== principal.id && !state.approverIds.includes(principal.id)) throw problems.notFound(`Approval ${request.params.approvalId}`);
      }
      return state;
    },
  );

  app.post(
    '/:approvalId/decision',
    {
      config: { roles: DECIDERS },
      schema: {
        tags: ['approvals'],
        summary: 'Approve or reject (four-eyes: never your own request)',
        params: Params,
        body: Strict({ decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), reason: Text(2000, 'Why (recorded as evidence; no personal data)') }),
        response: withErrors({ 200: State }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const handle = temporal.workflow.getHandle(workflowIdOf(request.params.approvalId));
      try {
        return await handle.executeUpdate(decideUpdate, {
          args: [{ decision: request.body.decision, reason: request.body.reason, decidedBy: { id: principal.id, type: principal.kind }, deciderRoles: principal.roles }],
        });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw problems.notFound(`Approval ${request.params.approvalId}`);
        if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? 'decision refused');
        if (/already completed/i.test((err as Error).message)) throw problems.conflict('This approval is closed.');
        throw err;
      }
    },
  );

  async function stateOf(approvalId: string): Promise<ApprovalState> {
    try {
      return await temporal.workflow.getHandle(workflowIdOf(approvalId)).query(approvalStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`Approval ${approvalId}`);
      throw err;
    }
  }
};

function workflowIdOf(approvalId: string): string {
  return `approval-${approvalId}`;
}

export default approvals;
