import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Every error leaves the API as RFC 9457 problem details (`application/problem+json`): a stable `type` URI, a
 * `title`, the `status`, a human `detail`, the request id, and for validation failures the offending fields.
 */
export interface FieldError {
  /** Where the problem is: `body.roles[1]`, `query.limit`, `headers.idempotency-key`. */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId: string;
  errors?: FieldError[];
}

const TYPE_BASE = 'https://complyflow.dev/problems/';

/** An error whose message is safe and meant for the client. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

export const problems = {
  unauthenticated: () => new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send a valid API key as `Authorization: Bearer <key>`.'),
  forbidden: (roles: readonly string[]) => new HttpProblem(403, 'forbidden', 'Not allowed', `This action needs one of the roles: ${roles.join(', ')}.`),
  notFound: (what: string) => new HttpProblem(404, 'not-found', 'Not found', `${what} does not exist.`),
  conflict: (detail: string) => new HttpProblem(409, 'conflict', 'Conflict', detail),
  invalid: (errors: FieldError[]) => new HttpProblem(400, 'validation', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors),
  unprocessable: (detail: string, errors?: FieldError[]) => new HttpProblem(422, 'unprocessable', 'Request refused', detail, errors),
};

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Omit<ProblemBody, 'requestId' | 'instance'>): FastifyReply {
  const body: ProblemBody = { ...problem, instance: request.url.split('?')[0], requestId: String(request.id) };
  return reply.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

/** Turns any thrown error into a problem: client mistakes keep their 4xx, everything else is a bare 500. */
export function toProblem(error: FastifyError | HttpProblem | Error): Omit<ProblemBody, 'requestId' | 'instance'> {
  if (error instanceof HttpProblem) {
    return { type: TYPE_BASE + error.slug, title: error.title, status: error.status, detail: error.message, ...(error.errors && { errors: error.errors }) };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((v) => fieldError(fastifyError.validationContext ?? 'body', v));
    return { type: TYPE_BASE + 'validation', title: 'Invalid request', status: 400, detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const known = CLIENT_ERRORS[fastifyError.code ?? ''];
    return {
      type: TYPE_BASE + (known?.slug ?? 'bad-request'),
      title: known?.title ?? 'Bad request',
      status,
      detail: known?.detail ?? fastifyError.message,
      ...(known?.field && { errors: [{ field: known.field, message: known.detail }] }),
    };
  }
  return { type: TYPE_BASE + 'internal', title: 'Internal error', status: 500, detail: 'The server failed to handle this request. Quote the request id when reporting it.' };
}

const CLIENT_ERRORS: Record<string, { slug: string; title: string; detail: string; field?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { slug: 'unsupported-media-type', title: 'Unsupported media type', detail: 'Send the body as application/json.', field: 'headers.content-type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { slug: 'body-too-large', title: 'Body too large', detail: 'The request body is larger than this API accepts.', field: 'body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { slug: 'validation', title: 'Invalid request', detail: 'The body is empty but the content type says JSON.', field: 'body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { slug: 'malformed-json', title: 'Malformed JSON', detail: 'The body is not valid JSON.', field: 'body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { slug: 'bad-request', title: 'Bad request', detail: 'Content-Length does not match the body.', field: 'headers.content-length' },
  FST_ERR_RATE_LIMIT_EXCEEDED: { slug: 'rate-limited', title: 'Too many requests', detail: 'Slow down: the rate limit for this principal was reached.' },
};

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function fieldError(context: string, error: AjvError): FieldError {
  const path = (error.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  if (error.keyword === 'additionalProperties' && typeof error.params?.additionalProperty === 'string') {
    return { field: `${context}${path}.${error.params.additionalProperty}`, message: 'is not a known field' };
  }
  if (error.keyword === 'required' && typeof error.params?.missingProperty === 'string') {
    return { field: `${context}${path}.${error.params.missingProperty}`, message: 'is required' };
  }
  return { field: `${context}${path}`, message: error.message ?? 'is invalid' };
}

/**
 * Keys starting with `$` or containing `.` are query operators or path syntax to MongoDB: refusing them at the edge
 * means no request body can ever be interpreted as a query. Returns the path of the first such key.
 */
export function findOperatorKey(value: unknown, path = 'body'): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findOperatorKey(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith('$') || key.includes('.')) return `${path}.${key}`;
      const found = findOperatorKey(child, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
