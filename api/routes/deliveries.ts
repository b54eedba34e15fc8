import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Delivery } from '../../store/deliveries';
import { DateTime, Limit, OpaqueId, Strict, withErrors } from '../schemas';

const DeliverySchema = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  kind: Type.String(),
  endpointId: Type.Optional(Type.String()),
  eventId: Type.Optional(Type.String()),
  recipientCount: Type.Optional(Type.Integer()),
  status: Type.String(),
  skipReason: Type.Optional(Type.String()),
  attempts: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      at: Type.String({ format: 'date-time' }),
      outcome: Type.String(),
      durationMs: Type.Optional(Type.Number()),
      responseCode: Type.Optional(Type.Integer()),
      error: Type.Optional(Type.String()),
    }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
  resource: Type.Optional(Type.Object({ type: Type.String(), id: Type.String() })),
  workflowId: Type.Optional(Type.String()),
});

/** The delivery log: every e-mail and webhook, each attempt with its outcome — the proof that people were told. */
const deliveries: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      config: { roles: ['auditor', 'admin'] },
      schema: {
        tags: ['integrations'],
        summary: 'Query the delivery log',
        querystring: Strict({
          channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('webhook')])),
          status: Type.Optional(Type.Union(['pending', 'sending', 'delivered', 'failed', 'skipped'].map((s) => Type.Literal(s)))),
          endpointId: Type.Optional(OpaqueId('Only deliveries to this endpoint')),
          resourceId: Type.Optional(OpaqueId('Only deliveries about this resource')),
          recipient: Type.Optional(Type.String({ format: 'email', description: 'Only e-mails to this address (matched without storing it)' })),
          from: Type.Optional(DateTime()),
          to: Type.Optional(DateTime()),
          after: Type.Optional(Type.String({ maxLength: 512, description: 'Cursor: `next` of the previous page' })),
          limit: Limit,
        }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(DeliverySchema), next: Type.Optional(Type.String()) }) }),
      },
    },
    async (request) => {
      const q = request.query;
      const items = await app.deps.stores.deliveries.list({
        channel: q.channel,
        status: q.status as Delivery['status'] | undefined,
        endpointId: q.endpointId,
        resourceId: q.resourceId,
        recipient: q.recipient,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        afterId: q.after,
        limit: q.limit,
      });
      return { items: items.map(view), ...(items.length === q.limit && { next: items[items.length - 1].id }) };
    },
  );
};

function view(d: Delivery) {
  return {
    ...d,
    attempts: d.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString(),
  };
}

export default deliveries;
