import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError, type UpdateDefinition } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { isTerminal } from '../../domain/audit/corrective';
import type { Role } from '../../domain/roles';
import type { SavedCorrectiveAction } from '../../store/corrective-actions';
import { acceptRiskUpdate, correctiveActionQuery, submitEvidenceUpdate, verifyUpdate, type CorrectiveActionView } from '../../workflows/corrective-action';
import { EvidenceBody, RiskAcceptanceBody, VerificationBody } from '../audit-schemas';
import { problems } from '../problem';
import { Limit, OpaqueId, Strict } from '../schemas';

const MANAGERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...MANAGERS, 'auditor', 'staff'];
const ActionParams = Strict({ actionId: Type.String({ pattern: '^ca_[A-Za-z0-9-]{8,64}$', description: 'Corrective action id' }) });
const STATUSES = ['open', 'evidence-submitted', 'closed', 'risk-accepted'] as const;

/**
 * Corrective actions opened by audits. The owner (staff may see and work only their own) submits evidence; someone
 * else verifies it or accepts the risk — the workflow's validators refuse the owner, and whoever submitted evidence.
 */
const correctiveActions: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, stores } = app.deps;

  app.get(
    '/',
    { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'Corrective actions (staff see their own)', querystring: Strict({ status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))), limit: Limit, after: Type.Optional(OpaqueId('Cursor: last id of the previous page')) }) } },
    async (request) => {
      const own = onlyOwn(request.principal!);
      const items = (await stores.correctiveActions.list({ status: request.query.status, afterId: request.query.after, limit: request.query.limit })).filter((a) => !own || a.owner === own);
      return { items, ...(items.length > 0 && { next: items[items.length - 1].id }) };
    },
  );

  app.get('/:actionId', { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'A corrective action, live', params: ActionParams } }, async (request) => view(request.params.actionId, request.principal!));

  const actor = (request: { principal?: { id: string } }) => request.principal!.id;

  app.post('/:actionId/evidence', { config: { roles: READERS.filter((r) => r !== 'auditor') }, schema: { tags: ['audits'], summary: 'Submit evidence of the fix (the owner, or a compliance officer on their behalf)', params: ActionParams, body: EvidenceBody } }, async (request) =>
    step(request.params.actionId, request.principal!, submitEvidenceUpdate, { by: actor(request), ...request.body }),
  );

  app.post('/:actionId/verification', { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Verify the evidence (closes) or reject it (reopens): not the owner, not whoever submitted it', params: ActionParams, body: VerificationBody } }, async (request) =>
    step(request.params.actionId, request.principal!, verifyUpdate, { by: actor(request), ...request.body }),
  );

  app.post('/:actionId/risk-acceptance', { config: { roles: MANAGERS }, schema: { tags: ['audits'], summary: 'Accept the risk instead of fixing, with a reason (not the owner)', params: ActionParams, body: RiskAcceptanceBody } }, async (request) =>
    step(request.params.actionId, request.principal!, acceptRiskUpdate, { by: actor(request), approver: actor(request), reason: request.body.reason }),
  );

  /** Staff may act only on the actions they own; other readers on all. */
  function onlyOwn(principal: { id: string; roles: Role[] }): string | undefined {
    return principal.roles.some((r) => r !== 'staff') ? undefined : principal.id;
  }

  async function saved(actionId: string, principal: { id: string; roles: Role[] }): Promise<SavedCorrectiveAction> {
    const action = await stores.correctiveActions.get(actionId);
    const own = onlyOwn(principal);
    if (!action || (own && action.owner !== own)) throw problems.notFound(`Corrective action ${actionId}`);
    return action;
  }

  async function view(actionId: string, principal: { id: string; roles: Role[] }): Promise<SavedCorrectiveAction | CorrectiveActionView> {
    const action = await saved(actionId, principal);
    if (isTerminal(action)) return action;
    return temporal.workflow.getHandle(action.workflowId).query(correctiveActionQuery).catch(() => action);
  }

  async function step<Arg>(actionId: string, principal: { id: string; roles: Role[] }, update: UpdateDefinition<CorrectiveActionView, [Arg]>, arg: Arg) {
    const action = await saved(actionId, principal);
    if (isTerminal(action)) throw problems.conflict(`The corrective action is already ${action.status}.`);
    try {
      return await temporal.workflow.getHandle(action.workflowId).executeUpdate(update, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? 'step refused');
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) throw problems.conflict('The corrective action has ended.');
      throw err;
    }
  }
};

export default correctiveActions;
