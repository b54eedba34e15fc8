import { Type, type TSchema } from '@sinclair/typebox';

/** Schemas shared by several routes. Objects refuse unknown fields unless a schema says otherwise. */

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const Strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T, options: Parameters<typeof Type.Object>[1] = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const OpaqueId = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_:.-]{1,128}$', description });
export const DateTime = (description?: string) => Type.String({ format: 'date-time', description });
export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size.' });
export const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, description });

/** Standard error responses, added to every route's schema so the OpenAPI document lists them. */
export function withErrors<T extends Record<number, TSchema>>(responses: T): T & Record<number, TSchema> {
  const ref = Type.Ref('Problem');
  return { 400: ref, 401: ref, 403: ref, 404: ref, 409: ref, 422: ref, 429: ref, 500: ref, ...responses };
}

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_:.-]{8,128}$', description: 'Makes the request safe to retry: the same key returns the same resource.' }),
  ),
});
