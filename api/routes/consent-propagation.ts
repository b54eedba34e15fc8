import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime, Strict, withErrors } from '../schemas';

/**
 * How long withdrawals take to reach every subscribed system: from the withdrawal being recorded to the last
 * subscriber acknowledging its delivery (2xx), measured from the delivery log.
 */
const consentPropagation: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/propagation',
    {
      config: { roles: ['compliance-officer', 'auditor', 'admin'] },
      schema: {
        tags: ['consent'],
        summary: 'Withdrawal propagation time (withdrawal → every subscriber acknowledged)',
        querystring: Strict({ purposeId: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' })), from: Type.Optional(DateTime()), to: Type.Optional(DateTime()) }),
        response: withErrors({
          200: Type.Object({
            withdrawals: Type.Integer(),
            complete: Type.Integer(),
            pending: Type.Integer(),
            p50Ms: Type.Union([Type.Number(), Type.Null()]),
            p95Ms: Type.Union([Type.Number(), Type.Null()]),
            maxMs: Type.Union([Type.Number(), Type.Null()]),
            items: Type.Array(Type.Object({ eventId: Type.String(), purposeId: Type.String(), withdrawnAt: Type.String(), subscribers: Type.Integer(), acknowledged: Type.Integer(), propagationMs: Type.Union([Type.Number(), Type.Null()]) })),
          }),
        }),
      },
    },
    async (request) => {
      const { consents, deliveries } = app.deps.stores;
      const q = request.query;
      const items = [];
      for await (const event of consents.findEvents({ type: 'withdrawn', purposeId: q.purposeId, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined })) {
        const sent = await deliveries.list({ channel: 'webhook', resourceType: 'consent-event', resourceId: event.id, limit: 500 });
        const acknowledged = sent.filter((d) => d.status === 'delivered' && d.deliveredAt);
        const done = acknowledged.length === sent.length;
        const last = Math.max(...acknowledged.map((d) => d.deliveredAt!.getTime()));
        items.push({
          eventId: event.id,
          purposeId: event.purposeId,
          withdrawnAt: event.at.toISOString(),
          subscribers: sent.length,
          acknowledged: acknowledged.length,
          propagationMs: done && sent.length > 0 ? last - event.at.getTime() : done ? 0 : null,
        });
      }
      const times = items.map((i) => i.propagationMs).filter((t): t is number => t !== null).sort((a, b) => a - b);
      const pick = (p: number) => (times.length > 0 ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] : null);
      return { withdrawals: items.length, complete: times.length, pending: items.length - times.length, p50Ms: pick(0.5), p95Ms: pick(0.95), maxMs: pick(1), items };
    },
  );
};

export default consentPropagation;
