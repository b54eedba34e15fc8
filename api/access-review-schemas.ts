import { Type } from '@sinclair/typebox';
import { DECISIONS, FLAGS } from '../domain/campaign/recertification';
import { isDuration } from '../domain/consent-policy';
import { ROLES } from '../domain/roles';
import type { Stores } from '../store';
import { PrincipalStore } from '../store/principals';
import type { FieldError } from './problem';
import { DateTime, OpaqueId, Strict, Text } from './schemas';

/** Request and response schemas of the access-review routes. */

const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });
const Duration = (description: string) => Type.String({ minLength: 2, maxLength: 40, pattern: '^P', description: `${description} (ISO 8601 duration)` });

export const STATUSES = ['pending', 'escalated', 'awaiting-second-review', 'decided', 'auto-revoked', 'flagged-unreviewed'] as const;

export const LaunchReviewBody = Strict({
  title: Text(200, 'What the campaign is, e.g. "Q3 2026 access recertification" (shown in e-mails; no personal data)'),
  dueAt: Type.Optional(DateTime('When decisions are due (in the future); or give dueIn')),
  dueIn: Type.Optional(Duration('Decisions are due this long after the launch; or give dueAt')),
  dormantAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'Principals unused this many days are flagged dormant (default 90)' })),
  roleMapping: Type.Optional(
    Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { uniqueItems: true, maxItems: ROLES.length }), {
      description: 'API roles each job role needs: a person holding more is flagged role-mismatch',
      maxProperties: 500,
    }),
  ),
  onNoDecision: Type.Optional(literals(['auto-revoke', 'flag'] as const, 'What the final notice does to an item still undecided (default flag)')),
  reminderLeads: Type.Optional(Type.Array(Duration('Remind reviewers this long before the due date'), { maxItems: 10, uniqueItems: true, description: 'Default ["P3D","P1D"]' })),
  escalateAfterDue: Type.Optional(Duration('Escalate what is still open this long after the due date (default P1D)')),
  finalAfterEscalation: Type.Optional(Duration('The final notice this long after the escalation (default P3D)')),
  fallbackReviewer: Type.Optional(OpaqueId('Reviews principals without a manager or owner (default: the launcher)')),
  escalateTo: Type.Optional(OpaqueId('Hears of escalations and may decide escalated items (default: the launcher)')),
});

export const DecisionBody = Strict({
  decision: literals(DECISIONS, 'keep or revoke the access, defer the decision, or escalate it'),
  reason: Type.Optional(Text(2000, 'Why (required for anything but keep, and for any decision on your own access); no personal data')),
  deferUntil: Type.Optional(DateTime('With defer: until when reminders are held back (not after the due date)')),
});

export const ReviewParams = Strict({ reviewId: Type.String({ pattern: '^arv_[A-Za-z0-9_-]{8,64}$', description: 'Access review id' }) });
export const ItemParams = Strict({ reviewId: ReviewParams.properties.reviewId, principalId: OpaqueId('The principal whose access the item is') });

export const ItemsQuery = Strict({
  status: Type.Optional(literals(STATUSES)),
  flag: Type.Optional(literals(FLAGS)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Page size.' }),
  after: Type.Optional(OpaqueId('Cursor: the principalId of the last item of the previous page')),
});

export const ListQuery = Strict({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size.' }),
  before: Type.Optional(DateTime('Cursor: createdAt of the last campaign of the previous page')),
});

const Flagged = Type.Object({ flag: Type.String(), reason: Type.String() });
const DecisionRecord = Type.Object({
  by: Type.String(),
  decision: Type.String(),
  reason: Type.Optional(Type.String()),
  at: Type.String(),
  deferUntil: Type.Optional(Type.String()),
  selfReview: Type.Optional(Type.Boolean()),
});

export const ItemView = Type.Object({
  itemId: Type.String(),
  reviewId: Type.String(),
  principalId: Type.String(),
  principalKind: Type.Optional(Type.String()),
  entitlements: Type.Array(Type.String()),
  staffStatus: Type.Optional(Type.String()),
  ownerId: Type.Optional(Type.String()),
  lastUsedAt: Type.Optional(Type.String()),
  flags: Type.Array(Flagged),
  reviewer: Type.String(),
  reviewerBasis: Type.String(),
  status: Type.String(),
  outcome: Type.Optional(Type.String()),
  dueAt: Type.String(),
  deferredUntil: Type.Optional(Type.String()),
  remindersSent: Type.Integer(),
  escalationsSent: Type.Integer(),
  decisions: Type.Array(DecisionRecord),
  closedAt: Type.Optional(Type.String()),
  revocation: Type.Optional(Type.Object({ at: Type.String(), cause: Type.String(), keysRevoked: Type.Array(Type.String()), rolesRemoved: Type.Array(Type.String()) })),
  version: Type.Integer(),
});

const Report = Type.Object({
  items: Type.Integer(),
  decided: Type.Integer(),
  kept: Type.Integer(),
  revoked: Type.Integer(),
  autoRevoked: Type.Integer(),
  flaggedUnreviewed: Type.Integer(),
  pending: Type.Integer(),
  byFlag: Type.Record(Type.String(), Type.Integer()),
  selfReviews: Type.Integer(),
});

export const ReviewView = Type.Object({
  reviewId: Type.String(),
  title: Type.String(),
  status: Type.String(),
  launchedBy: Type.Object({ id: Type.String(), type: Type.String() }),
  policy: Type.Object({
    dueAt: Type.String(),
    reminderLeads: Type.Array(Type.String()),
    escalateAfterDue: Type.String(),
    finalAfterEscalation: Type.String(),
    onNoDecision: Type.String(),
  }),
  dormantAfterDays: Type.Integer(),
  fallbackReviewer: Type.String(),
  escalateTo: Type.String(),
  createdAt: Type.String(),
  openedAt: Type.Optional(Type.String()),
  endedAt: Type.Optional(Type.String()),
  items: Type.Optional(Type.Integer()),
  notices: Type.Array(Type.Object({ kind: Type.String(), index: Type.Integer(), at: Type.String() })),
  report: Type.Optional(Report),
});

/**
 * What the schema can only shape-check: one due date (given or computed, in the future), usable durations, and
 * principals that exist and may sign in. Every problem by field, all at once.
 */
export async function launchProblems(body: { dueAt?: string; dueIn?: string; reminderLeads?: string[]; escalateAfterDue?: string; finalAfterEscalation?: string; fallbackReviewer?: string; escalateTo?: string }, principals: Stores['principals'], now: Date): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (body.dueAt !== undefined && body.dueIn !== undefined) errors.push({ field: 'body.dueIn', message: 'give dueAt or dueIn, not both' });
  else if (body.dueAt === undefined && body.dueIn === undefined) errors.push({ field: 'body.dueAt', message: 'is required (or give dueIn)' });
  else if (body.dueAt !== undefined && Date.parse(body.dueAt) <= now.getTime()) errors.push({ field: 'body.dueAt', message: 'must be in the future' });
  if (body.dueIn !== undefined && !isDuration(body.dueIn)) errors.push({ field: 'body.dueIn', message: 'must be a positive ISO 8601 duration' });
  (body.reminderLeads ?? []).forEach((lead, i) => !isDuration(lead) && errors.push({ field: `body.reminderLeads[${i}]`, message: 'must be a positive ISO 8601 duration' }));
  for (const field of ['escalateAfterDue', 'finalAfterEscalation'] as const) {
    const value = body[field];
    if (value !== undefined && !isDuration(value)) errors.push({ field: `body.${field}`, message: 'must be a positive ISO 8601 duration' });
  }
  for (const field of ['fallbackReviewer', 'escalateTo'] as const) {
    const id = body[field];
    if (id === undefined) continue;
    const principal = await principals.get(id);
    if (!principal) errors.push({ field: `body.${field}`, message: `principal ${id} does not exist` });
    else if (!PrincipalStore.isActive(principal, now) || principal.roles.length === 0) errors.push({ field: `body.${field}`, message: `principal ${id} cannot sign in (disabled, expired or without roles)` });
  }
  return errors;
}
