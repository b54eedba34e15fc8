import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ROLE_DESCRIPTIONS } from '../domain/roles';
import accessLog from './access-log';
import auth, { apiKeyAuthenticator } from './auth';
import type { AppDeps } from './deps';
import { findOperatorKey, problems, sendProblem, toProblem } from './problem';
import routes from './routes';
import { validatorCompiler } from './validation';

export type App = FastifyInstance;

/**
 * What request log lines say about a request. Fastify's default would log the query string (which carries search
 * terms such as e-mail addresses: `/deliveries?recipient=...`) and the client address (personal data, which the
 * access log keeps encrypted); neither belongs in plaintext logs.
 */
function requestForLog(request: { method?: string; url?: string; host?: string }) {
  return { method: request.method, url: request.url?.split('?')[0], host: request.host };
}

/** Builds the API: security plugins and hooks registered once, then the route modules. */
export async function buildApp(deps: AppDeps, options: { ready?: () => Promise<string | undefined> } = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: deps.config.bodyLimit,
    // Ids in paths (scheduled audit runs carry their start time) may be longer than Fastify's default of 100; past
    // this, Fastify answers before the error handler could turn it into a problem.
    routerOptions: { maxParamLength: 256 },
    trustProxy: deps.config.trustProxy === 'true',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // The API speaks JSON only: any other body type is a 415, not a string for validation to puzzle over.
  app.removeContentTypeParser('text/plain');
  app.decorate('deps', deps);
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as Error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler({}, (request, reply) => sendProblem(request, reply, { type: 'https://complyflow.dev/problems/not-found', title: 'Not found', status: 404, detail: `No route ${request.method} ${request.url.split('?')[0]}.` }));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preValidation', async (request) => {
    const field = findOperatorKey(request.body);
    if (field) throw problems.invalid([{ field, message: 'keys must not start with "$" or contain "."' }]);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"] },
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ComplyFlow API',
        version: '0.1.0',
        description:
          'Durable compliance processes with a tamper-evident evidence trail. Authenticate with `Authorization: Bearer <API key>`. ' +
          'Each operation lists the roles it admits. Errors are RFC 9457 problem details.\n\nRoles:\n' +
          Object.entries(ROLE_DESCRIPTIONS)
            .map(([role, text]) => `- \`${role}\`: ${text}`)
            .join('\n'),
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created by an admin.' } } },
    },
    transform: ({ schema, url, route }) => {
      const roles = route.config?.roles;
      if (!schema || roles === 'public' || !roles) return { schema, url };
      return {
        schema: { ...schema, security: [{ apiKey: [] }], description: `${schema.description ?? ''}\n\nRoles: ${roles.join(', ')}.`.trim() },
        url,
      } as never;
    },
  });
  await app.register(async function docs(scope) {
    // The docs page and its assets are public; marking them here keeps the default-deny check below strict.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, roles: 'public' };
    });
    await scope.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' }, staticCSP: true });
  });
  await app.register(auth, { authenticators: [apiKeyAuthenticator(app)] });
  await app.register(accessLog);
  await app.register(rateLimit, {
    // After authentication, so the limit applies per principal rather than per address behind a shared proxy.
    hook: 'preHandler',
    max: deps.config.rateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => Object.assign(new Error('rate limited'), { statusCode: context.statusCode, code: 'FST_ERR_RATE_LIMIT_EXCEEDED' }),
  });
  await app.register(routes, { ready: options.ready });
  return app;
}
