import { Type, type TSchema } from '@sinclair/typebox';
import { CERTIFICATION_KINDS, CRITICALITIES, DATA_CATEGORIES, SYSTEM_ACCESS, TRANSFER_MECHANISMS, REQUIREMENTS } from '../domain/vendor/types';
import { OFFBOARDING_TASK_KINDS } from '../domain/vendor/offboarding';
import { DateTime, OpaqueId, Strict, Text } from './schemas';

/** Request schemas of the vendor routes and the vendor portal. */

const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

export const EvidenceFileSchema = Strict({ name: Text(200), sha256: Type.String({ pattern: '^[a-f0-9]{64}$' }), contentType: Type.Optional(Type.String({ maxLength: 100 })) });

export const ProfileFields = {
  description: Text(5000),
  services: Type.Array(Text(200), { maxItems: 50, default: [] }),
  contacts: Type.Array(Strict({ name: Text(200), email: Type.String({ format: 'email', maxLength: 320 }), role: literals(['security', 'privacy', 'commercial', 'technical', 'other'] as const) }), { maxItems: 20, default: [] }),
  dataCategories: Type.Array(literals(DATA_CATEGORIES), { uniqueItems: true, default: [] }),
  dataVolume: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'Approximate number of people (or records) the vendor holds or reaches' }),
  systemAccess: literals(SYSTEM_ACCESS),
  criticality: literals(CRITICALITIES),
  countries: Type.Array(Country, { uniqueItems: true, maxItems: 250, default: [] }),
  dpfCertified: Type.Boolean({ default: false, description: 'Certified under the EU-US Data Privacy Framework' }),
  subProcessors: Type.Array(Strict({ name: Text(200), country: Country, service: Text(200), dpfCertified: Type.Optional(Type.Boolean()) }), { maxItems: 100, default: [] }),
  contract: Strict({ status: literals(['none', 'negotiating', 'signed', 'terminated'] as const), reference: Type.Optional(Text(200)), startsOn: Type.Optional(IsoDate), endsOn: Type.Optional(IsoDate) }, { default: { status: 'none' } }),
  dpa: Strict({ status: literals(['none', 'negotiating', 'signed'] as const), signedOn: Type.Optional(IsoDate), evidence: Type.Optional(EvidenceFileSchema) }, { default: { status: 'none' } }),
  transferMechanism: Type.Optional(Strict({ kind: literals(TRANSFER_MECHANISMS), signedOn: Type.Optional(IsoDate), evidence: Type.Optional(EvidenceFileSchema) })),
  certifications: Type.Array(
    Strict({ kind: literals(CERTIFICATION_KINDS), label: Type.Optional(Text(200)), issuer: Type.Optional(Text(200)), scope: Type.Optional(Text(1000)), issuedOn: IsoDate, expiresOn: IsoDate, evidence: Type.Optional(EvidenceFileSchema) }),
    { maxItems: 50, default: [] },
  ),
};

export const CreateVendorBody = Strict({
  name: Text(200),
  legalName: Type.Optional(Text(200)),
  website: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
  internalOwner: OpaqueId('Principal id of the accountable person in our organisation'),
  ...ProfileFields,
});

/**
 * The profile fields without their defaults. A change names only what changes: the validator fills in defaults for
 * missing fields, so with them a change of one field would also empty the contacts, data categories, countries and
 * certificates the request did not mention.
 */
const withoutDefaults = <T extends Record<string, TSchema>>(fields: T): T =>
  Object.fromEntries(
    Object.entries(fields).map(([name, schema]) => {
      const { default: _default, ...rest } = schema;
      return [name, rest];
    }),
  ) as T;

export const PatchVendorBody = Type.Partial(Strict({ ...withoutDefaults(ProfileFields), name: Text(200), legalName: Text(200), website: Type.String({ format: 'uri', maxLength: 500 }), internalOwner: OpaqueId('Principal id') }), { additionalProperties: false, minProperties: 1 });

const Duration = (description: string) => Type.String({ pattern: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$', description });

export const StartReviewBody = Strict({
  reason: Text(2000, 'Why the review starts', ),
  timing: Type.Optional(Strict({ remindEvery: Duration('Remind the vendor this often'), maxReminders: Type.Integer({ minimum: 0, maximum: 52 }), escalateAfter: Duration('Escalate to the internal owner after'), expiresAfter: Duration('The link expires after') })),
  reassessEvery: Type.Optional(Duration('Override of the reassessment cadence (default by tier: critical 6, high 12, medium 24, low 36 months)')),
  certificateLeadDays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), { minItems: 1, maxItems: 5, uniqueItems: true })),
});

export const ConditionSchema = Strict({ description: Text(2000), owner: OpaqueId('Principal id who sees it through'), dueAt: DateTime(), covers: Type.Optional(Type.Array(literals(REQUIREMENTS), { uniqueItems: true })) });

export const SecurityReviewBody = Strict({ findings: Type.Array(Text(5000), { minItems: 1, maxItems: 100 }), conditions: Type.Array(ConditionSchema, { maxItems: 50, default: [] }) });

export const DecisionBody = Strict({
  decision: literals(['approve', 'approve-with-conditions', 'reject'] as const),
  reason: Text(2000),
  conditions: Type.Optional(Type.Array(ConditionSchema, { maxItems: 50 })),
});

export const CompleteRemediationBody = Strict({ note: Type.Optional(Text(2000)), evidence: Type.Optional(EvidenceFileSchema) });
export const ReasonBody = Strict({ reason: Text(2000) });
export const CompleteTaskBody = Strict({ note: Type.Optional(Text(2000)), outcome: Type.Optional(literals(['returned', 'deleted'] as const)), evidence: Type.Optional(EvidenceFileSchema) });
export const TaskKind = literals(OFFBOARDING_TASK_KINDS);

/** A vendor's answers: question id → answer (yes/no and choices as strings, numbers, choice lists, document metadata). */
export const AnswersSchema = Type.Record(
  Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
  Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }), EvidenceFileSchema]),
  { maxProperties: 200 },
);
