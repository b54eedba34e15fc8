import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime, Limit, OpaqueId, Strict, withErrors } from '../schemas';

const Entry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  requestId: Type.String(),
  principalId: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  method: Type.String(),
  route: Type.String(),
  resourceIds: Type.Array(Type.String()),
  status: Type.Integer(),
  outcome: Type.String(),
  clientAddress: Type.String(),
});

/** The data-access log, for auditors: who touched what, when, and whether they were let in. */
const accessLog: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      config: { roles: ['auditor', 'admin'] },
      schema: {
        tags: ['evidence'],
        summary: 'Query the access log, newest first',
        querystring: Strict({
          principalId: Type.Optional(OpaqueId('Only this principal')),
          resourceId: Type.Optional(OpaqueId('Only requests naming this resource id')),
          from: Type.Optional(DateTime('From this time (inclusive)')),
          to: Type.Optional(DateTime('Until this time (exclusive)')),
          before: Type.Optional(Type.String({ pattern: '^[a-f0-9]{24}$', description: 'Cursor: `next` of the previous page' })),
          limit: Limit,
        }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(Entry), next: Type.Optional(Type.String()) }) }),
      },
    },
    async (request) => {
      const q = request.query;
      const items = await app.deps.stores.accessLog.query({
        principalId: q.principalId,
        resourceId: q.resourceId,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        before: q.before,
        limit: q.limit,
      });
      return {
        items: items.map((e) => ({ ...e, at: e.at.toISOString() })),
        ...(items.length === q.limit && { next: items[items.length - 1].id }),
      };
    },
  );
};

export default accessLog;
