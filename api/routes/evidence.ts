import { Readable } from 'node:stream';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EvidenceEvent } from '../../domain/evidence';
import type { EvidenceQuery } from '../../store/evidence';
import { problems } from '../problem';
import { DateTime, Limit, OpaqueId, Strict, withErrors } from '../schemas';

const READERS = ['auditor', 'compliance-officer', 'admin'] as const;

const Event = Type.Object({
  seq: Type.Integer(),
  key: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ id: Type.String(), type: Type.String() }),
  action: Type.String(),
  resource: Type.Object({ type: Type.String(), id: Type.String() }),
  data: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

const Filters = {
  resourceType: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' })),
  resourceId: Type.Optional(OpaqueId('Only events about this resource')),
  action: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9.-]{0,127}$' })),
  from: Type.Optional(DateTime('From this time (inclusive)')),
  to: Type.Optional(DateTime('Until this time (exclusive)')),
};

/** The evidence trail: read, verify, export. Nobody can write to it through the API except by acting. */
const evidence: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.deps.stores.evidence;

  app.get(
    '/',
    {
      config: { roles: READERS },
      schema: {
        tags: ['evidence'],
        summary: 'List evidence events in chain order',
        querystring: Strict({ ...Filters, afterSeq: Type.Optional(Type.Integer({ minimum: 0, description: 'Cursor: `next` of the previous page' })), limit: Limit }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(Event), next: Type.Optional(Type.Integer()) }) }),
      },
    },
    async (request) => {
      const items: ReturnType<typeof view>[] = [];
      for await (const event of store.find({ ...toQuery(request.query), afterSeq: request.query.afterSeq, limit: request.query.limit })) items.push(view(event));
      return { items, ...(items.length === request.query.limit && { next: items[items.length - 1].seq }) };
    },
  );

  app.get(
    '/head',
    {
      config: { roles: READERS },
      schema: { tags: ['evidence'], summary: 'The latest event: note its seq and hash to detect a truncated trail later', response: withErrors({ 200: Type.Object({ seq: Type.Integer(), hash: Type.String() }) }) },
    },
    async () => {
      const head = await store.head();
      return head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: '0'.repeat(64) };
    },
  );

  app.get(
    '/verify',
    {
      config: { roles: READERS },
      schema: {
        tags: ['evidence'],
        summary: 'Verify the hash chain (all of it, or a range) and report the first broken link',
        querystring: Strict({
          fromSeq: Type.Optional(Type.Integer({ minimum: 1 })),
          toSeq: Type.Optional(Type.Integer({ minimum: 1 })),
          anchorSeq: Type.Optional(Type.Integer({ minimum: 1, description: 'A seq noted earlier (with anchorHash)' })),
          anchorHash: Type.Optional(Type.String({ pattern: '^[a-f0-9]{64}$' })),
        }),
        response: withErrors({
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            firstSeq: Type.Optional(Type.Integer()),
            lastSeq: Type.Optional(Type.Integer()),
            headHash: Type.Optional(Type.String()),
            firstBreak: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String(), detail: Type.String() })),
          }),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      if ((q.anchorSeq === undefined) !== (q.anchorHash === undefined)) {
        throw problems.invalid([{ field: q.anchorSeq === undefined ? 'querystring.anchorSeq' : 'querystring.anchorHash', message: 'anchorSeq and anchorHash go together' }]);
      }
      if (q.fromSeq !== undefined && q.toSeq !== undefined && q.toSeq < q.fromSeq) throw problems.invalid([{ field: 'querystring.toSeq', message: 'must not be below fromSeq' }]);
      return store.verify({ fromSeq: q.fromSeq, toSeq: q.toSeq, anchor: q.anchorSeq !== undefined ? { seq: q.anchorSeq, hash: q.anchorHash! } : undefined });
    },
  );

  app.get(
    '/export',
    {
      config: { roles: READERS },
      schema: {
        tags: ['evidence'],
        summary: 'Export events as JSON Lines (one event per line, with hashes, so anyone can re-check them)',
        querystring: Strict(Filters),
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const head = await store.head();
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="evidence.jsonl"');
      if (head) reply.header('complyflow-chain-head', `${head.seq}:${head.hash}`);
      const events = store.find(toQuery(request.query));
      return reply.send(
        Readable.from(
          (async function* lines() {
            for await (const event of events) yield `${JSON.stringify(view(event))}\n`;
          })(),
        ),
      );
    },
  );
};

function toQuery(q: { resourceType?: string; resourceId?: string; action?: string; from?: string; to?: string }): EvidenceQuery {
  return { resourceType: q.resourceType, resourceId: q.resourceId, action: q.action, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
}

function view(event: EvidenceEvent) {
  return { ...event, at: event.at.toISOString(), data: event.data as Record<string, unknown> };
}

export default evidence;
