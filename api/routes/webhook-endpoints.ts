import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { InvalidEndpointError, type WebhookEndpoint } from '../../store/webhook-endpoints';
import { problems } from '../problem';
import { recordChange } from '../record';
import { Limit, OpaqueId, Strict, withErrors } from '../schemas';

const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  purposeIds: Type.Optional(Type.Array(Type.String())),
  description: Type.String(),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  deactivatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  deactivatedBy: Type.Optional(Type.String()),
});
const Params = Strict({ endpointId: OpaqueId('Webhook endpoint id') });

/**
 * Systems that receive changes: each endpoint subscribes to event types and gets signed deliveries
 * (`ComplyFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`).
 */
const webhookEndpoints: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.deps.stores.webhookEndpoints;

  app.post(
    '/',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['integrations'],
        summary: 'Register a webhook endpoint; its signing secret is shown only in this response',
        body: Strict({
          url: Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' }),
          events: Type.Array(Type.String({ pattern: '^(\\*|[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*)$', maxLength: 128 }), { minItems: 1, maxItems: 100, uniqueItems: true }),
          purposeIds: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }), { maxItems: 100, uniqueItems: true, description: 'Only consent events about these purposes' })),
          description: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: withErrors({ 201: Type.Composite([Endpoint, Type.Object({ secret: Type.String({ description: 'Signing secret; shown once.' }) })]) }),
      },
    },
    async (request, reply) => {
      try {
        const { endpoint, secret } = await store.create({ ...request.body, createdBy: request.principal!.id });
        await recordChange(request, { key: `webhook-endpoint.created:${endpoint.id}`, action: 'webhook-endpoint.created', resource: { type: 'webhook-endpoint', id: endpoint.id }, data: { events: endpoint.events } });
        return reply.status(201).send({ ...view(endpoint), secret });
      } catch (err) {
        if (err instanceof InvalidEndpointError) throw problems.invalid([{ field: 'body', message: err.message }]);
        throw err;
      }
    },
  );

  app.get(
    '/',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['integrations'], summary: 'List webhook endpoints', querystring: Strict({ active: Type.Optional(Type.Boolean()), after: Type.Optional(OpaqueId('Cursor')), limit: Limit }), response: withErrors({ 200: Type.Object({ items: Type.Array(Endpoint), next: Type.Optional(Type.String()) }) }) },
    },
    async (request) => {
      const items = await store.list({ afterId: request.query.after, active: request.query.active, limit: request.query.limit });
      return { items: items.map(view), ...(items.length === request.query.limit && { next: items[items.length - 1].id }) };
    },
  );

  app.delete(
    '/:endpointId',
    { config: { roles: ['admin'] }, schema: { tags: ['integrations'], summary: 'Deactivate an endpoint (kept on record for the delivery log)', params: Params, response: withErrors({ 200: Endpoint }) } },
    async (request) => {
      const before = await store.get(request.params.endpointId);
      if (!before) throw problems.notFound(`Webhook endpoint ${request.params.endpointId}`);
      const after = (await store.deactivate(before.id, request.principal!.id))!;
      if (before.active) await recordChange(request, { key: `webhook-endpoint.deactivated:${before.id}`, action: 'webhook-endpoint.deactivated', resource: { type: 'webhook-endpoint', id: before.id }, data: {} });
      return view(after);
    },
  );
};

function view(e: WebhookEndpoint) {
  return { ...e, createdAt: e.createdAt.toISOString(), deactivatedAt: e.deactivatedAt?.toISOString() };
}

export default webhookEndpoints;
