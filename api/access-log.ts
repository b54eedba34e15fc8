import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessOutcome } from '../store/access-log';

/**
 * Records every request to a protected route — allowed or not — in the access log: who, with which roles, did what
 * to which resources, with what outcome. Query strings are left out (they may carry search terms such as e-mail
 * addresses); path parameters name the resources.
 */
export default fp(async function accessLog(app: FastifyInstance) {
  // Entries are written after the response has gone; closing waits for them before the database goes.
  app.addHook('onClose', () => app.deps.stores.accessLog.drain());
  app.addHook('onResponse', async (request, reply) => {
    const isPublic = request.routeOptions.config?.roles === 'public';
    if ((isPublic && !request.linkSubject) || !request.routeOptions.url) return;
    try {
      await app.deps.stores.accessLog.record({
        at: new Date(),
        requestId: String(request.id),
        principalId: request.principal?.id ?? (request.linkSubject && `subject:${request.linkSubject}`),
        roles: request.principal?.roles ?? [],
        method: request.method,
        route: request.routeOptions.url,
        resourceIds: resourceIds(request),
        status: reply.statusCode,
        outcome: outcomeOf(reply),
        clientAddress: request.ip,
      });
    } catch (err) {
      request.log.error({ err }, 'access log entry could not be written');
    }
  });
});

function resourceIds(request: FastifyRequest): string[] {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const ids = Object.values(params).filter((v): v is string => typeof v === 'string');
  return request.linkSubject ? [...ids, request.linkSubject] : ids;
}

function outcomeOf(reply: FastifyReply): AccessOutcome {
  const status = reply.statusCode;
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status >= 500) return 'failed';
  if (status >= 400) return 'rejected';
  return 'allowed';
}
