import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Role } from '../../domain/roles';
import { normaliseEmail, normalisePhone, validateSubject, type SubjectInput } from '../../domain/subject';
import type { Subject } from '../../store/subjects';
import { problems } from '../problem';
import { recordChange } from '../record';
import { OpaqueId, Strict, withErrors } from '../schemas';

const WRITERS: Role[] = ['compliance-officer', 'admin', 'system'];
const READERS: Role[] = [...WRITERS, 'auditor'];

const Address = Strict({
  lines: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 5 })),
  city: Type.Optional(Type.String({ maxLength: 100 })),
  postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  country: Type.Optional(Type.String({ maxLength: 2 })),
});
const Fields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  address: Type.Optional(Address),
  region: Type.Optional(Type.String({ maxLength: 6 })),
  timeZone: Type.Optional(Type.String({ maxLength: 64 })),
};
export const SubjectBody = Strict({
  ...Fields,
  country: Type.String({ maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
  externalId: Type.Optional(Type.String({ maxLength: 128, description: 'The id in your CRM; unique' })),
});
const SubjectView = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  address: Type.Optional(Type.Object({ lines: Type.Optional(Type.Array(Type.String())), city: Type.Optional(Type.String()), postalCode: Type.Optional(Type.String()), country: Type.Optional(Type.String()) })),
  country: Type.String(),
  region: Type.Optional(Type.String()),
  timeZone: Type.Optional(Type.String()),
  externalId: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const Params = Strict({ subjectId: OpaqueId('Subject id') });

/** Data subjects: the CRM's contacts whose consent is managed. Their personal data is encrypted at rest. */
const subjects: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.deps.stores.subjects;

  app.post(
    '/',
    { config: { roles: WRITERS }, schema: { tags: ['consent'], summary: 'Create a data subject (validated: e-mail, E.164 phone, ISO country/region)', body: SubjectBody, response: withErrors({ 201: SubjectView, 200: SubjectView }) } },
    async (request, reply) => {
      const input = valid(request.body);
      const { subject, created } = await store.create(input);
      if (created) await recordChange(request, { key: `subject.created:${subject.id}`, action: 'subject.created', resource: { type: 'subject', id: subject.id }, data: { country: subject.country, region: subject.region } });
      return reply.status(created ? 201 : 200).send(view(subject));
    },
  );

  app.post(
    '/search',
    {
      config: { roles: WRITERS },
      schema: {
        tags: ['consent'],
        summary: 'Find subjects by exact e-mail, phone or CRM id (a POST so that personal data never appears in URLs)',
        body: Strict({ email: Type.Optional(Type.String({ maxLength: 320 })), phone: Type.Optional(Type.String({ maxLength: 40 })), country: Type.Optional(Type.String({ maxLength: 2 })), externalId: Type.Optional(Type.String({ maxLength: 128 })) }, { minProperties: 1 }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(SubjectView) }) }),
      },
    },
    async (request) => {
      const { email, phone, externalId, country } = request.body;
      let found: Subject[] = [];
      if (externalId) found = [await store.findByExternalId(externalId)].filter((s): s is Subject => s !== undefined);
      else if (email) {
        const normalised = normaliseEmail(email);
        if (!normalised) throw problems.invalid([{ field: 'body.email', message: 'is not a valid e-mail address' }]);
        found = await store.findByEmail(normalised);
      } else if (phone) {
        const region = (country ?? 'US').toUpperCase();
        const normalised = normalisePhone(phone, region);
        if (!normalised) throw problems.invalid([{ field: 'body.phone', message: `is not a valid phone number for ${region} (use +<country code><number>)` }]);
        found = await store.findByPhone(normalised);
      } else throw problems.invalid([{ field: 'body.email', message: 'give an email, phone or externalId' }]);
      return { items: found.map(view) };
    },
  );

  app.get('/:subjectId', { config: { roles: READERS }, schema: { tags: ['consent'], summary: 'Read a subject', params: Params, response: withErrors({ 200: SubjectView }) } }, async (request) =>
    view(await existing(request.params.subjectId)),
  );

  app.patch(
    '/:subjectId',
    {
      config: { roles: WRITERS },
      schema: { tags: ['consent'], summary: 'Correct a subject (fields given replace the stored ones)', params: Params, body: Strict({ ...Fields, country: Type.Optional(Type.String({ maxLength: 2 })) }, { minProperties: 1 }), response: withErrors({ 200: SubjectView }) },
    },
    async (request) => {
      const current = await existing(request.params.subjectId);
      const { id: _id, createdAt: _c, updatedAt: _u, ...stored } = current;
      const merged = valid({ ...stored, ...request.body });
      const updated = (await store.replace(current.id, merged))!;
      await recordChange(request, { key: `subject.updated:${current.id}:${request.id}`, action: 'subject.updated', resource: { type: 'subject', id: current.id }, data: { fields: Object.keys(request.body).sort() } });
      return view(updated);
    },
  );

  async function existing(id: string): Promise<Subject> {
    const subject = await store.get(id);
    if (!subject) throw problems.notFound(`Subject ${id}`);
    return subject;
  }
};

function valid(input: SubjectInput): SubjectInput {
  const checked = validateSubject(input);
  if (!checked.ok) throw problems.invalid(checked.problems.map((p) => ({ field: `body.${p.field}`, message: p.message })));
  return checked.value;
}

function view(s: Subject) {
  return { ...s, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
}

export default subjects;
