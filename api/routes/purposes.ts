import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CHANNELS, LAWFUL_BASES } from '../../domain/consent';
import { isDuration, policyProblems, type RenewalPolicy } from '../../domain/consent-policy';
import type { Role } from '../../domain/roles';
import { PurposeExistsError, type NoticeVersion, type Purpose } from '../../store/purposes';
import { consentPolicyRolloutWorkflow } from '../../workflows/consent-policy-rollout';
import { problems, type FieldError } from '../problem';
import { recordChange } from '../record';
import { DateTime, Strict, withErrors } from '../schemas';

const MANAGERS: Role[] = ['compliance-officer', 'admin'];
const READERS: Role[] = [...MANAGERS, 'auditor', 'system'];

const Policy = Strict({
  jurisdiction: Type.String({ maxLength: 7, description: 'default, EEA, a country (FR) or a subdivision (US-CA)' }),
  consentType: Type.Optional(Type.Union([Type.Literal('express'), Type.Literal('implied-purchase'), Type.Literal('implied-inquiry')])),
  validFor: Type.Union([Type.String({ maxLength: 32, description: 'ISO 8601 duration, e.g. P13M' }), Type.Null()]),
  renewBefore: Type.Optional(Type.String({ maxLength: 32 })),
  reminders: Type.Optional(Strict({ count: Type.Integer({ minimum: 0, maximum: 10 }), every: Type.String({ maxLength: 32 }) })),
  source: Type.Optional(Type.String({ maxLength: 300, description: 'Citation or internal policy id' })),
});
const Editable = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 2000, description: 'Shown to people: what the data is used for' }),
  channels: Type.Array(Type.Union(CHANNELS.map((c) => Type.Literal(c))), { minItems: 1, uniqueItems: true }),
  policies: Type.Array(Policy, { maxItems: 100 }),
  doubleOptIn: Strict({ required: Type.Boolean(), confirmWithin: Type.String({ maxLength: 32, default: 'P7D' }) }),
};
const PurposeView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  lawfulBasis: Type.String(),
  channels: Type.Array(Type.String()),
  policies: Type.Array(Type.Unknown()),
  policyVersion: Type.Integer(),
  doubleOptIn: Type.Object({ required: Type.Boolean(), confirmWithin: Type.String() }),
  currentNoticeVersionId: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const NoticeView = Type.Object({
  id: Type.String(),
  purposeId: Type.String(),
  version: Type.Integer(),
  text: Type.String(),
  textHash: Type.String(),
  language: Type.String(),
  effectiveFrom: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
});
const Params = Strict({ purposeId: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }) });

/** The purposes register: why data is processed, on which lawful basis and channels, with renewal policies and notices. */
const purposes: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.deps.stores.purposes;

  app.post(
    '/',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['consent'],
        summary: 'Register a purpose',
        body: Strict({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$', description: 'Stable slug, e.g. marketing-email' }), lawfulBasis: Type.Union(LAWFUL_BASES.map((b) => Type.Literal(b))), ...Editable, doubleOptIn: Type.Optional(Editable.doubleOptIn) }),
        response: withErrors({ 201: PurposeView }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkPolicies(body.policies, body.doubleOptIn?.confirmWithin);
      try {
        const purpose = await store.create({ ...body, policies: body.policies as RenewalPolicy[], doubleOptIn: body.doubleOptIn ?? { required: false, confirmWithin: 'P7D' } });
        await recordChange(request, { key: `purpose.created:${purpose.id}`, action: 'purpose.created', resource: { type: 'purpose', id: purpose.id }, data: { lawfulBasis: purpose.lawfulBasis, channels: purpose.channels, policies: JSON.parse(JSON.stringify(purpose.policies)) } });
        return reply.status(201).send(view(purpose));
      } catch (err) {
        if (err instanceof PurposeExistsError) throw problems.conflict(err.message);
        throw err;
      }
    },
  );

  app.get('/', { config: { roles: READERS }, schema: { tags: ['consent'], summary: 'List purposes', response: withErrors({ 200: Type.Object({ items: Type.Array(PurposeView) }) }) } }, async () => ({ items: (await store.list()).map(view) }));

  app.get('/:purposeId', { config: { roles: READERS }, schema: { tags: ['consent'], summary: 'Read a purpose', params: Params, response: withErrors({ 200: PurposeView }) } }, async (request) =>
    view(await existing(request.params.purposeId)),
  );

  app.patch(
    '/:purposeId',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['consent'],
        summary: 'Change a purpose; a policy change reaches every running consent lifecycle of the purpose',
        params: Params,
        body: Type.Partial(Strict(Editable), { additionalProperties: false, minProperties: 1 }),
        response: withErrors({ 200: PurposeView }),
      },
    },
    async (request) => {
      await existing(request.params.purposeId);
      const body = request.body;
      if (body.policies || body.doubleOptIn) checkPolicies(body.policies ?? [], body.doubleOptIn?.confirmWithin);
      const updated = (await store.update(request.params.purposeId, { ...body, policies: body.policies as RenewalPolicy[] | undefined }))!;
      await recordChange(request, {
        key: `purpose.updated:${updated.id}:${request.id}`,
        action: 'purpose.updated',
        resource: { type: 'purpose', id: updated.id },
        data: { fields: Object.keys(body).sort(), policyVersion: updated.policyVersion, ...(body.policies && { policies: JSON.parse(JSON.stringify(body.policies)) }) },
      });
      if (body.policies) {
        await app.deps.temporal.workflow.start(consentPolicyRolloutWorkflow, {
          workflowId: `consent-policy-${updated.id}-v${updated.policyVersion}`,
          taskQueue: app.deps.config.taskQueue,
          args: [{ purposeId: updated.id, policyVersion: updated.policyVersion }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      }
      return view(updated);
    },
  );

  app.post(
    '/:purposeId/notices',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['consent'],
        summary: 'Publish a new notice version: the exact text people are shown when asked for consent',
        params: Params,
        body: Strict({ text: Type.String({ minLength: 1, maxLength: 20000 }), language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', default: 'en' }), effectiveFrom: Type.Optional(DateTime()) }),
        response: withErrors({ 201: NoticeView }),
      },
    },
    async (request, reply) => {
      await existing(request.params.purposeId);
      const notice = await store.addNotice({
        purposeId: request.params.purposeId,
        text: request.body.text,
        language: request.body.language,
        effectiveFrom: request.body.effectiveFrom ? new Date(request.body.effectiveFrom) : new Date(),
        createdBy: request.principal!.id,
      });
      await recordChange(request, { key: `notice.published:${notice.id}`, action: 'notice.published', resource: { type: 'purpose', id: notice.purposeId }, data: { noticeVersionId: notice.id, version: notice.version, textHash: notice.textHash } });
      return reply.status(201).send(noticeView(notice));
    },
  );

  app.get(
    '/:purposeId/notices',
    { config: { roles: READERS }, schema: { tags: ['consent'], summary: 'Every notice version of a purpose', params: Params, response: withErrors({ 200: Type.Object({ items: Type.Array(NoticeView) }) }) } },
    async (request) => {
      await existing(request.params.purposeId);
      return { items: (await store.noticesOf(request.params.purposeId)).map(noticeView) };
    },
  );

  async function existing(id: string): Promise<Purpose> {
    const purpose = await store.get(id);
    if (!purpose) throw problems.notFound(`Purpose ${id}`);
    return purpose;
  }
};

function checkPolicies(policies: RenewalPolicy[], confirmWithin: string | undefined): void {
  const errors: FieldError[] = policies.flatMap((p, i) => policyProblems(p, `body.policies[${i}]`));
  if (confirmWithin !== undefined && !isDuration(confirmWithin)) errors.push({ field: 'body.doubleOptIn.confirmWithin', message: 'must be a positive ISO 8601 duration' });
  if (errors.length > 0) throw problems.invalid(errors);
}

function view(p: Purpose) {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
}

function noticeView(n: NoticeVersion) {
  return { ...n, effectiveFrom: n.effectiveFrom.toISOString(), createdAt: n.createdAt.toISOString() };
}

export default purposes;
