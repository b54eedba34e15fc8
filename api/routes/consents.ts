import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { CHANNELS, mayContact, type ConsentState } from '../../domain/consent';
import { csvLine } from '../../domain/csv';
import { hashEvent } from '../../domain/evidence';
import type { Role } from '../../domain/roles';
import type { ConsentEvent } from '../../store/consents';
import { captureConsent } from '../consent-lifecycle';
import { problems } from '../problem';
import { DateTime, IdempotencyKeyHeader, OpaqueId, Strict, withErrors } from '../schemas';

const CAPTURERS: Role[] = ['system', 'compliance-officer', 'admin'];
const READERS: Role[] = ['compliance-officer', 'auditor', 'admin'];
const CHECKERS: Role[] = ['system', 'compliance-officer', 'admin'];

const PurposeId = Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' });
const Source = Strict({ formId: Type.Optional(Type.String({ maxLength: 128 })), url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })) });
const Context = {
  ipAddress: Type.Optional(Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], description: "The person's address, stored encrypted" })),
  userAgent: Type.Optional(Type.String({ maxLength: 1000, description: "The person's browser, stored encrypted" })),
  source: Type.Optional(Source),
};
export const StateView = Type.Object({
  subjectId: Type.String(),
  purposeId: Type.String(),
  status: Type.String(),
  cycle: Type.Integer(),
  consentType: Type.String(),
  grantEventId: Type.String(),
  grantedAt: Type.String(),
  noticeVersionId: Type.String(),
  method: Type.String(),
  schedule: Type.Object({ expiresAt: Type.Union([Type.String(), Type.Null()]), renewalAt: Type.Union([Type.String(), Type.Null()]), reminderAts: Type.Array(Type.String()) }),
  confirmBy: Type.Optional(Type.String()),
  endedAt: Type.Optional(Type.String()),
  lastEventId: Type.String(),
  updatedAt: Type.String(),
});
export const EventView = Type.Object({
  id: Type.String(),
  subjectId: Type.String(),
  purposeId: Type.String(),
  type: Type.String(),
  at: Type.String({ format: 'date-time' }),
  cycle: Type.Integer(),
  consentType: Type.String(),
  lawfulBasis: Type.String(),
  noticeVersionId: Type.String(),
  noticeTextHash: Type.String(),
  method: Type.String(),
  source: Type.Optional(Type.Object({ formId: Type.Optional(Type.String()), url: Type.Optional(Type.String()), importId: Type.Optional(Type.String()), line: Type.Optional(Type.Integer()) })),
  actor: Type.Object({ id: Type.String(), type: Type.String() }),
  proof: Type.Optional(Type.Object({ element: Type.String(), preTicked: Type.Boolean(), action: Type.String() })),
  ipAddress: Type.Optional(Type.String()),
  userAgent: Type.Optional(Type.String()),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  evidence: Type.Optional(Type.Object({ seq: Type.Integer(), hash: Type.String() })),
});
const Recorded = Type.Object({ event: EventView, state: StateView, duplicate: Type.Boolean() });
const ExportQuery = Strict({
  format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }),
  purposeId: Type.Optional(PurposeId),
  subjectId: Type.Optional(OpaqueId('Only this subject')),
  type: Type.Optional(Type.String({ pattern: '^[a-z-]{1,32}$', description: 'Only events of this type (granted, withdrawn, …)' })),
  from: Type.Optional(DateTime()),
  to: Type.Optional(DateTime()),
});

/** Capturing consent, withdrawing it, and answering for it: the "may we contact?" check, timelines, receipts, exports. */
const consents: FastifyPluginAsyncTypebox = async (app) => {
  const { consents: store, purposes, evidence } = app.deps.stores;

  app.post(
    '/grants',
    {
      config: { roles: CAPTURERS },
      schema: {
        tags: ['consent'],
        summary: 'Record a consent given through a form or checkbox (or ask for double opt-in confirmation first)',
        headers: IdempotencyKeyHeader,
        body: Strict({
          subjectId: OpaqueId('Subject id'),
          purposeId: PurposeId,
          method: Type.Union([Type.Literal('form'), Type.Literal('checkbox'), Type.Literal('api')]),
          noticeVersionId: Type.Optional(Type.String({ maxLength: 100, description: 'The notice shown; default: the current one' })),
          consentType: Type.Optional(Type.Union([Type.Literal('express'), Type.Literal('implied-purchase'), Type.Literal('implied-inquiry')])),
          proof: Type.Optional(Strict({ element: Type.String({ maxLength: 200, description: 'The checkbox or button' }), preTicked: Type.Boolean(), action: Type.String({ maxLength: 100, description: 'What the person did: ticked, clicked…' }) })),
          doubleOptIn: Type.Optional(Type.Boolean({ description: 'Send a confirmation e-mail first; default: the purpose decides' })),
          ...Context,
        }),
        response: withErrors({ 201: Recorded, 200: Recorded }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const purpose = await purposes.get(body.purposeId);
      const doubleOptIn = body.doubleOptIn ?? purpose?.doubleOptIn.required ?? false;
      const recorded = await captureConsent(
        app,
        {
          ...body,
          proof: body.proof as ConsentEvent['proof'],
          action: doubleOptIn ? 'request' : 'grant',
          actor: actorOf(request.principal!),
          at: new Date(),
          idempotencyKey: request.headers['idempotency-key'],
        },
        { purpose },
      );
      return reply.status(recorded.duplicate ? 200 : 201).send(recordedView(recorded));
    },
  );

  app.post(
    '/withdrawals',
    {
      config: { roles: CAPTURERS },
      schema: {
        tags: ['consent'],
        summary: 'Withdraw a consent: contact stops at once and every subscribed system is told',
        headers: IdempotencyKeyHeader,
        body: Strict({ subjectId: OpaqueId('Subject id'), purposeId: PurposeId, method: Type.Union([Type.Literal('form'), Type.Literal('api'), Type.Literal('checkbox')], { default: 'api' }), ...Context }),
        response: withErrors({ 200: Recorded }),
      },
    },
    async (request) => {
      const recorded = await captureConsent(app, { ...request.body, action: 'withdraw', actor: actorOf(request.principal!), at: new Date(), idempotencyKey: request.headers['idempotency-key'] });
      return recordedView(recorded);
    },
  );

  app.get(
    '/check',
    {
      config: { roles: CHECKERS },
      schema: {
        tags: ['consent'],
        summary: 'May we contact this person for this purpose on this channel now? (called before every send)',
        querystring: Strict({ subjectId: OpaqueId('Subject id'), purposeId: PurposeId, channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))) }),
        response: withErrors({
          200: Type.Object({
            allowed: Type.Boolean(),
            reason: Type.String(),
            record: Type.Optional(Type.Object({ eventId: Type.String(), status: Type.String(), grantedAt: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]), noticeVersionId: Type.String(), method: Type.String() })),
          }),
        }),
      },
    },
    async (request) => {
      const { subjectId, purposeId, channel } = request.query;
      const [purpose, state] = await Promise.all([purposes.get(purposeId), store.state(subjectId, purposeId)]);
      if (!purpose) throw problems.notFound(`Purpose ${purposeId}`);
      const answer = mayContact(purpose, state, channel, new Date().toISOString());
      return {
        ...answer,
        ...(state && { record: { eventId: state.lastEventId, status: state.status, grantedAt: state.grantedAt, expiresAt: state.schedule.expiresAt, noticeVersionId: state.noticeVersionId, method: state.method } }),
      };
    },
  );

  app.get(
    '/subjects/:subjectId',
    {
      config: { roles: READERS.concat('system') },
      schema: {
        tags: ['consent'],
        summary: "A subject's consents: current state per purpose and the full timeline of events",
        params: Strict({ subjectId: OpaqueId('Subject id') }),
        response: withErrors({ 200: Type.Object({ consents: Type.Array(StateView), timeline: Type.Array(EventView) }) }),
      },
    },
    async (request) => {
      if (!(await app.deps.stores.subjects.get(request.params.subjectId))) throw problems.notFound(`Subject ${request.params.subjectId}`);
      const timeline: ReturnType<typeof eventView>[] = [];
      for await (const event of store.findEvents({ subjectId: request.params.subjectId })) timeline.push(eventView(event));
      return { consents: await store.statesOf(request.params.subjectId), timeline };
    },
  );

  app.get(
    '/events/:eventId/receipt',
    {
      config: { roles: READERS.concat('system') },
      schema: {
        tags: ['consent'],
        summary: 'A consent receipt: the record, the exact notice text, and its place in the evidence chain',
        params: Strict({ eventId: Type.String({ pattern: '^cev_[A-Za-z0-9_:-]{8,120}$' }) }),
        response: withErrors({
          200: Type.Object({
            event: EventView,
            notice: Type.Object({ id: Type.String(), version: Type.Integer(), text: Type.String(), textHash: Type.String(), language: Type.String() }),
            evidence: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String(), prevHash: Type.String(), intact: Type.Boolean() }), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const event = await store.event(request.params.eventId);
      if (!event) throw problems.notFound(`Consent event ${request.params.eventId}`);
      const notice = await purposes.notice(event.noticeVersionId);
      const link = event.evidence ? await evidence.bySeq(event.evidence.seq) : undefined;
      return {
        event: eventView(event),
        notice: { id: notice!.id, version: notice!.version, text: notice!.text, textHash: notice!.textHash, language: notice!.language },
        evidence: link ? { seq: link.seq, hash: link.hash, prevHash: link.prevHash, intact: hashEvent(link) === link.hash && link.hash === event.evidence!.hash } : null,
      };
    },
  );

  app.get(
    '/stats',
    {
      config: { roles: READERS },
      schema: { tags: ['consent'], summary: 'Counts of consents per purpose and status', response: withErrors({ 200: Type.Object({ items: Type.Array(Type.Object({ purposeId: Type.String(), status: Type.String(), count: Type.Integer() })) }) }) },
    },
    async () => ({ items: await store.counts() }),
  );

  app.get(
    '/export',
    { config: { roles: READERS }, schema: { tags: ['consent'], summary: 'Export consent events as JSON Lines or CSV', querystring: ExportQuery, produces: ['application/x-ndjson', 'text/csv'] } },
    async (request, reply) => {
      const q = request.query;
      const events = store.findEvents({ purposeId: q.purposeId, subjectId: q.subjectId, type: q.type as ConsentEvent['type'] | undefined, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
      const csv = q.format === 'csv';
      reply.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="consent-events.${csv ? 'csv' : 'jsonl'}"`);
      return reply.send(
        Readable.from(
          (async function* lines() {
            if (csv) yield `${CSV_COLUMNS.join(',')}\n`;
            for await (const event of events) yield csv ? `${csvRow(event)}\n` : `${JSON.stringify(eventView(event))}\n`;
          })(),
        ),
      );
    },
  );
};

const CSV_COLUMNS = ['id', 'subjectId', 'purposeId', 'type', 'at', 'cycle', 'consentType', 'lawfulBasis', 'noticeVersionId', 'noticeTextHash', 'method', 'sourceFormId', 'sourceUrl', 'actorId', 'expiresAt', 'evidenceSeq', 'evidenceHash'];

function csvRow(e: ConsentEvent): string {
  const values = [e.id, e.subjectId, e.purposeId, e.type, e.at.toISOString(), e.cycle, e.consentType, e.lawfulBasis, e.noticeVersionId, e.noticeTextHash, e.method, e.source?.formId, e.source?.url, e.actor.id, e.expiresAt?.toISOString(), e.evidence?.seq, e.evidence?.hash];
  return csvLine(values);
}

export function actorOf(principal: { id: string; kind: 'person' | 'system' }) {
  return { id: principal.id, type: principal.kind };
}

export function eventView(e: ConsentEvent) {
  return { ...e, at: e.at.toISOString(), expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null };
}

function recordedView(r: { event: ConsentEvent; state: ConsentState; duplicate: boolean }) {
  return { event: eventView(r.event), state: r.state, duplicate: r.duplicate };
}

export default consents;
