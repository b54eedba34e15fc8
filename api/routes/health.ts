import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Liveness, readiness and the OpenAPI document: public, never logged as data access. */
const health: FastifyPluginAsyncTypebox<{ ready?: () => Promise<string | undefined> }> = async (app, options) => {
  app.get('/health', { config: { roles: 'public' }, schema: { tags: ['operations'], summary: 'Liveness: the process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/ready',
    {
      config: { roles: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Temporal and the database answer',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }) },
      },
    },
    async (_request, reply) => {
      const reason = await (options.ready ?? (() => checkDependencies(app)))();
      if (reason) return reply.status(503).send({ status: 'unavailable' as const, reason });
      return { status: 'ready' as const };
    },
  );

  app.get('/openapi.json', { config: { roles: 'public' }, schema: { hide: true } }, async () => app.swagger());
};

/** Why the API is not ready, or undefined when it is. */
async function checkDependencies(app: Parameters<FastifyPluginAsyncTypebox>[0]): Promise<string | undefined> {
  const timeout = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref());
  try {
    await Promise.race([app.deps.db.command({ ping: 1 }), timeout(2000)]);
  } catch (err) {
    return `database: ${(err as Error).message}`;
  }
  try {
    await Promise.race([app.deps.temporal.connection.workflowService.getSystemInfo({}), timeout(2000)]);
  } catch (err) {
    return `temporal: ${(err as Error).message}`;
  }
  return undefined;
}

export default health;
