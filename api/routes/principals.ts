import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../domain/roles';
import type { ApiKey } from '../../store/api-keys';
import type { Principal } from '../../store/principals';
import { problems } from '../problem';
import { recordChange } from '../record';
import { DateTime, Limit, OpaqueId, Strict, Text, withErrors } from '../schemas';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const PrincipalSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('person'), Type.Literal('system')]),
  name: Type.String(),
  email: Type.Optional(Type.String()),
  roles: Type.Array(RoleSchema),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  ownerId: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
});
const Owner = OpaqueId('The person accountable for this principal (required in spirit for systems and external auditors)');
const Expiry = DateTime('Time-boxed access (an external auditor, say): no key of the principal works from then on');
const ApiKeySchema = Type.Object({
  keyId: Type.String(),
  principalId: Type.String(),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  lastUsedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
const PrincipalParams = Strict({ principalId: OpaqueId('Principal id') });

/** Principals (people and systems) and their API keys. Admins manage them; anyone may read themselves. */
const principals: FastifyPluginAsyncTypebox = async (app) => {
  const { principals: store, apiKeys } = app.deps.stores;

  app.get('/me', { config: { roles: ROLES }, schema: { tags: ['principals'], summary: 'The calling principal', response: withErrors({ 200: PrincipalSchema }) } }, async (request) =>
    principalView(request.principal as Principal),
  );

  app.post(
    '/principals',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['principals'],
        summary: 'Create a principal (a person or a system)',
        body: Strict({
          kind: Type.Union([Type.Literal('person'), Type.Literal('system')]),
          name: Text(200, 'Display name'),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
          roles: Type.Array(RoleSchema, { minItems: 1, uniqueItems: true }),
          ownerId: Type.Optional(Owner),
          expiresAt: Type.Optional(Expiry),
        }),
        response: withErrors({ 201: PrincipalSchema }),
      },
    },
    async (request, reply) => {
      const { expiresAt, ...body } = request.body;
      await checkOwnerAndExpiry(body.ownerId, expiresAt);
      const principal = await store.create({ ...body, ...(expiresAt && { expiresAt: new Date(expiresAt) }), createdBy: request.principal!.id });
      await recordChange(request, { key: `principal.created:${principal.id}`, action: 'principal.created', resource: { type: 'principal', id: principal.id }, data: { kind: principal.kind, roles: principal.roles } });
      return reply.status(201).send(principalView(principal));
    },
  );

  app.get(
    '/principals',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['principals'], summary: 'List principals', querystring: Strict({ limit: Limit, after: Type.Optional(OpaqueId('Cursor: last id of the previous page')) }), response: withErrors({ 200: Type.Object({ items: Type.Array(PrincipalSchema), next: Type.Optional(Type.String()) }) }) },
    },
    async (request) => {
      const items = await store.list({ afterId: request.query.after, limit: request.query.limit });
      return { items: items.map(principalView), ...(items.length === request.query.limit && { next: items[items.length - 1].id }) };
    },
  );

  app.get('/principals/:principalId', { config: { roles: ['admin'] }, schema: { tags: ['principals'], summary: 'Read a principal', params: PrincipalParams, response: withErrors({ 200: PrincipalSchema }) } }, async (request) =>
    principalView(await existing(request.params.principalId)),
  );

  app.patch(
    '/principals/:principalId',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['principals'],
        summary: 'Change roles or disable a principal',
        params: PrincipalParams,
        body: Strict(
          {
            roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, uniqueItems: true })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            ownerId: Type.Optional(Owner),
            expiresAt: Type.Optional(Expiry),
          },
          { minProperties: 1 },
        ),
        response: withErrors({ 200: PrincipalSchema }),
      },
    },
    async (request) => {
      const before = await existing(request.params.principalId);
      if (before.id === request.principal!.id && (request.body.status === 'disabled' || (request.body.roles && !request.body.roles.includes('admin')))) {
        throw problems.unprocessable('An admin cannot disable themselves or drop their own admin role; ask another admin.');
      }
      const { expiresAt, ...changes } = request.body;
      await checkOwnerAndExpiry(changes.ownerId, expiresAt, before.id);
      const after = (await store.update(before.id, { ...changes, ...(expiresAt && { expiresAt: new Date(expiresAt) }) }))!;
      await recordChange(request, {
        key: `principal.updated:${before.id}:${request.id}`,
        action: 'principal.updated',
        resource: { type: 'principal', id: before.id },
        data: { rolesBefore: before.roles, rolesAfter: after.roles, statusBefore: before.status, statusAfter: after.status, ownerId: after.ownerId, expiresAt: after.expiresAt?.toISOString() },
      });
      return principalView(after);
    },
  );

  app.post(
    '/principals/:principalId/api-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['principals'],
        summary: 'Create an API key; the token is shown only in this response',
        params: PrincipalParams,
        body: Strict({ label: Text(100, 'What the key is for'), expiresAt: Type.Optional(DateTime('When the key stops working')) }),
        response: withErrors({ 201: Type.Composite([ApiKeySchema, Type.Object({ token: Type.String({ description: 'Shown once; store it safely.' }) })]) }),
      },
    },
    async (request, reply) => {
      const principal = await existing(request.params.principalId);
      const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : undefined;
      if (expiresAt && expiresAt <= new Date()) throw problems.invalid([{ field: 'body.expiresAt', message: 'must be in the future' }]);
      const { key, token } = await apiKeys.create({ principalId: principal.id, label: request.body.label, createdBy: request.principal!.id, expiresAt });
      await recordChange(request, { key: `api-key.created:${key.keyId}`, action: 'api-key.created', resource: { type: 'principal', id: principal.id }, data: { keyId: key.keyId, expiresAt: expiresAt?.toISOString() } });
      return reply.status(201).send({ ...keyView(key), token });
    },
  );

  app.get(
    '/principals/:principalId/api-keys',
    { config: { roles: ['admin'] }, schema: { tags: ['principals'], summary: 'List a principal\'s API keys (never their tokens)', params: PrincipalParams, response: withErrors({ 200: Type.Object({ items: Type.Array(ApiKeySchema) }) }) } },
    async (request) => {
      await existing(request.params.principalId);
      return { items: (await apiKeys.listFor(request.params.principalId)).map(keyView) };
    },
  );

  app.delete(
    '/api-keys/:keyId',
    { config: { roles: ['admin'] }, schema: { tags: ['principals'], summary: 'Revoke an API key', params: Strict({ keyId: OpaqueId('Key id') }), response: withErrors({ 200: ApiKeySchema }) } },
    async (request) => {
      const revoked = await apiKeys.revoke(request.params.keyId);
      if (!revoked) {
        const key = await apiKeys.get(request.params.keyId);
        if (!key) throw problems.notFound(`API key ${request.params.keyId}`);
        return keyView(key);
      }
      await recordChange(request, { key: `api-key.revoked:${revoked.keyId}`, action: 'api-key.revoked', resource: { type: 'principal', id: revoked.principalId }, data: { keyId: revoked.keyId } });
      return keyView(revoked);
    },
  );

  /** An owner must be an existing person other than the principal itself; an expiry must lie ahead. */
  async function checkOwnerAndExpiry(ownerId: string | undefined, expiresAt: string | undefined, self?: string): Promise<void> {
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) throw problems.invalid([{ field: 'body.expiresAt', message: 'must be in the future' }]);
    if (!ownerId) return;
    const owner = await store.get(ownerId);
    if (!owner || owner.kind !== 'person' || owner.id === self) throw problems.invalid([{ field: 'body.ownerId', message: 'must name an existing person other than the principal itself' }]);
  }

  async function existing(id: string): Promise<Principal> {
    const principal = await store.get(id);
    if (!principal) throw problems.notFound(`Principal ${id}`);
    return principal;
  }
};

function principalView(p: Principal) {
  return { ...p, createdAt: p.createdAt.toISOString(), expiresAt: p.expiresAt?.toISOString() };
}

function keyView(k: ApiKey) {
  return {
    ...k,
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt?.toISOString(),
    revokedAt: k.revokedAt?.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString(),
  };
}

export default principals;
