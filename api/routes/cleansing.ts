import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Role } from '../../domain/roles';
import { cleansingDecisionUpdate, cleansingQuery } from '../../workflows/cleansing';
import { DecisionBody } from '../audit-schemas';
import { problems } from '../problem';
import { Limit, OpaqueId, Strict } from '../schemas';

const DECIDERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...DECIDERS, 'auditor'];
const CleansingParams = Strict({ cleansingId: Type.String({ pattern: '^cln_[A-Za-z0-9_-]{8,64}$', description: 'Cleansing run id' }) });

/** Cleansing runs: the dry run's changes, the four-eyes decision, and what was written. */
const cleansing: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, stores } = app.deps;

  app.get('/:cleansingId', { config: { roles: READERS }, schema: { tags: ['audits'], summary: 'A cleansing run: status, change count, decision, outcomes', params: CleansingParams } }, async (request) => {
    const saved = await stores.cleansing.run(request.params.cleansingId);
    if (saved && saved.status !== 'previewed' && saved.status !== 'approved') return saved;
    // Still deciding or writing (or not yet previewed): the workflow has the live state.
    try {
      return await temporal.workflow.getHandle(request.params.cleansingId).query(cleansingQuery);
    } catch {
      if (saved) return saved;
      throw problems.notFound(`Cleansing run ${request.params.cleansingId}`);
    }
  });

  app.get(
    '/:cleansingId/changes',
    { config: { roles: DECIDERS }, schema: { tags: ['audits'], summary: 'The previewed changes, before and after (personal data: shown to deciders only)', params: CleansingParams, querystring: Strict({ limit: Limit, after: Type.Optional(OpaqueId('Cursor: last change id of the previous page')) }) } },
    async (request) => {
      if (!(await stores.cleansing.run(request.params.cleansingId))) throw problems.notFound(`Cleansing run ${request.params.cleansingId}`);
      const items = [];
      for await (const change of stores.cleansing.changesOf(request.params.cleansingId, { afterId: request.query.after, limit: request.query.limit })) items.push(change);
      return { items, ...(items.length === request.query.limit && { next: items[items.length - 1].id }) };
    },
  );

  app.post(
    '/:cleansingId/decision',
    { config: { roles: DECIDERS }, schema: { tags: ['audits'], summary: 'Approve or reject the dry run (not by whoever requested it)', params: CleansingParams, body: DecisionBody } },
    async (request) => {
      const principal = request.principal!;
      try {
        return await temporal.workflow.getHandle(request.params.cleansingId).executeUpdate(cleansingDecisionUpdate, { args: [{ ...request.body, by: { id: principal.id, type: principal.kind } }] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? err.message);
        if ((err as Error).name === 'WorkflowNotFoundError' || /already completed/i.test((err as Error).message)) {
          const saved = await stores.cleansing.run(request.params.cleansingId);
          if (saved) throw problems.conflict(`The cleansing run is already ${saved.status}.`);
          throw problems.notFound(`Cleansing run ${request.params.cleansingId}`);
        }
        throw err;
      }
    },
  );
};

export default cleansing;
