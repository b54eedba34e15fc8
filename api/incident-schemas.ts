import { Type } from '@sinclair/typebox';
import { ANCHOR_EVENTS, DATA_CATEGORIES, ENCRYPTION, RISK_LEVELS } from '../domain/breach/types';
import { DateTime, Strict, Text } from './schemas';

/** Request and response schemas of the incident routes. */

const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

export const Jurisdiction = Type.String({ pattern: '^([A-Z]{2}|US-[A-Z]{2})$', description: 'ISO 3166-1 alpha-2 country (DE, GB, CA) or US state (US-CA)' });
export const Flag = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'A role or legal finding known to the rules pack (see GET /incidents/rules)' });

export const Anchors = Strict(
  Object.fromEntries(ANCHOR_EVENTS.map((a) => [a, Type.Optional(DateTime(`When the ${a} happened`))])) as Record<(typeof ANCHOR_EVENTS)[number], ReturnType<typeof DateTime>>,
  { description: 'Moments that start legal clocks' },
);

export const Entity = Strict({
  zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the organisation (default ORG_TIME_ZONE)' }),
  calendar: literals(['weekends', 'US-federal', 'BR-national', 'GB-EAW'] as const, 'Working-day calendar (default ORG_WORKING_CALENDAR)'),
});

/** The facts the deadline engine needs, shared by an assessment and a what-if preview. */
export const FactsFields = {
  affected: Type.Record(Jurisdiction, Type.Integer({ minimum: 0, maximum: 10_000_000_000 }), { description: 'Affected people per jurisdiction of residence', maxProperties: 300 }),
  dataCategories: Type.Array(literals(DATA_CATEGORIES), { uniqueItems: true, maxItems: DATA_CATEGORIES.length }),
  encryption: literals(ENCRYPTION, 'Whether the data was encrypted (keys not compromised)'),
  risk: literals(RISK_LEVELS, 'Risk to people: unlikely, risk, or high (GDPR Art. 33/34 test)'),
  flags: Type.Array(Flag, { uniqueItems: true, maxItems: 50, default: [] }),
};

export const Ladder = Strict({
  at: Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), { maxItems: 10, uniqueItems: true, description: 'Fractions of the window at which to escalate' }),
  overdueEverySeconds: Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'Repeat escalations this often once overdue' }),
});

export const ReportBody = Strict({
  title: Text(200, 'Short title (no personal data)'),
  description: Text(20_000, 'What happened (stored encrypted)'),
  discoveredAt: DateTime('When the breach was discovered'),
  awareAt: Type.Optional(DateTime('When the organisation became aware (default: discoveredAt)')),
  occurredAt: Type.Optional(DateTime('When the breach happened, if known')),
  suspectedAt: Type.Optional(DateTime('When a breach was first suspected')),
  systems: Type.Array(Text(200), { maxItems: 100, default: [] }),
  contacts: Type.Array(Strict({ role: literals(['owner', 'dpo', 'legal', 'other'] as const), email: Type.String({ format: 'email', maxLength: 320 }) }), { maxItems: 50, default: [], description: 'Who receives escalations' }),
  flags: Type.Array(Flag, { uniqueItems: true, maxItems: 50, default: [] }),
  entity: Type.Optional(Entity),
  escalation: Type.Optional(Ladder),
  asapTargetHours: Type.Integer({ minimum: 1, maximum: 8760, default: 72, description: 'Internal target for duties without a fixed legal period' }),
  reviewWithinDays: Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'Post-incident review due this many days after the first assessment' }),
});

export const StepBodies = {
  triage: Strict({ severity: literals(['low', 'medium', 'high', 'critical'] as const), notes: Text(5000) }),
  contain: Strict({ measures: Text(10_000, 'What was done to contain the breach'), containedAt: Type.Optional(DateTime()) }),
  assess: Strict({
    anchors: Type.Optional(Anchors),
    ...FactsFields,
    consequences: Text(10_000, 'Likely consequences for the people concerned'),
    reason: Type.Optional(Text(2000, 'Why the assessment changed (required for revisions)')),
  }),
  notify: Strict({
    sentAt: DateTime('When the notice was submitted'),
    recipientReference: Text(200, 'The recipient\'s case number or other reference'),
    proof: Type.Optional(Strict({ name: Text(200), sha256: Type.String({ pattern: '^[a-f0-9]{64}$' }) })),
    final: Type.Boolean({ default: true, description: 'false for the first phase of a phased report' }),
    delayReason: Type.Optional(Text(5000, 'Required when the notice is late')),
  }),
  exempt: Strict({ exemptionId: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,99}$' }), justification: Text(5000) }),
  adjust: Strict({ adjustmentId: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,99}$' }), from: Type.Optional(DateTime('Default: now')), until: Type.Optional(DateTime()), reason: Text(5000) }),
  lift: Strict({ until: Type.Optional(DateTime('Default: now')) }),
  review: Strict({
    findings: Type.Array(Text(5000), { minItems: 1, maxItems: 100 }),
    correctiveActions: Type.Array(Strict({ description: Text(2000), owner: Text(200), dueAt: DateTime() }), { maxItems: 100, default: [] }),
  }),
  close: Strict({ reason: Text(2000) }),
};

export const PreviewBody = Strict({
  anchors: Anchors,
  ...FactsFields,
  // A list, not an object keyed by obligation id: the ids contain dots, which no request body may use in a key.
  submissions: Type.Array(Strict({ obligationId: Type.String({ pattern: '^[a-z0-9][a-z0-9.@-]{0,120}$' }), at: DateTime('When its first report was submitted') }), {
    default: [],
    maxItems: 100,
    description: 'Reports already submitted; the clocks of follow-up reports (NIS2 final report, DORA intermediate report) start at them',
  }),
  entity: Type.Optional(Entity),
  asapTargetHours: Type.Integer({ minimum: 1, maximum: 8760, default: 72 }),
});

/** Incidents and obligations are rich documents; their full shape is documented in the README. */
export const Document = Type.Object({}, { additionalProperties: true });
