import { Type } from '@sinclair/typebox';
import { CALENDAR_FIELDS } from '../domain/audit/schedule';
import { CHECKS, FIXES, SEVERITIES } from '../domain/audit/types';
import { Duration as IsoDuration } from 'luxon';
import { isDuration } from '../domain/consent-policy';
import type { CorrectiveActionSettings } from '../activities/audit';
import type { Stores } from '../store';
import type { FieldError } from './problem';
import { DateTime, OpaqueId, Strict, Text } from './schemas';

/** Request schemas of the audit, schedule, cleansing and corrective-action routes. */

const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });
const Duration = (description: string) => Type.String({ minLength: 2, maxLength: 40, pattern: '^P', description: `${description} (ISO 8601 duration)` });

export const CheckSchema = literals(CHECKS);
export const SeveritySchema = literals(SEVERITIES);
export const FixSchema = literals(FIXES);

export const ScopeBody = Strict({
  checks: Type.Optional(Type.Array(CheckSchema, { minItems: 1, uniqueItems: true, description: 'Which checks to run; all when omitted' })),
  staleAfterMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, description: 'Subjects not updated for this many months are stale (default 24)' })),
  keyUnusedDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'API keys unused this many days are reported (default 90)' })),
  countries: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]{2}$' }), { minItems: 1, maxItems: 250, uniqueItems: true, description: 'Only subjects of these countries' })),
  correctiveActionSeverity: Type.Optional(SeveritySchema),
});

const PerSeverity = Strict(Object.fromEntries(SEVERITIES.map((s) => [s, Type.Optional(Duration(`Time to fix a ${s} finding`))])));

export const CorrectiveActionsBody = Strict({
  owner: Type.Optional(OpaqueId('Principal who owns the corrective actions this run opens (default: the launcher)')),
  owners: Type.Optional(Strict(Object.fromEntries(CHECKS.map((c) => [c, Type.Optional(OpaqueId(`Owner of ${c} actions`))])))),
  escalateTo: Type.Optional(OpaqueId('Principal told when an action is overdue (default: the launcher)')),
  policy: Type.Optional(
    Strict({
      dueIn: Type.Optional(PerSeverity),
      reminderLeads: Type.Optional(Type.Array(Duration('Remind this long before the due date'), { maxItems: 10 })),
      escalateEvery: Type.Optional(Duration('Escalate again this often while overdue')),
      maxEscalations: Type.Optional(Type.Integer({ minimum: 0, maximum: 52 })),
    }),
  ),
});

export const LaunchBody = Strict({ scope: Type.Optional(ScopeBody), correctiveActions: Type.Optional(CorrectiveActionsBody) });

const CalendarValueSchema = Type.Union([
  Type.Integer({ minimum: 0, maximum: 9999 }),
  Type.String({ pattern: '^[A-Za-z]{3}$' }),
  Strict({ start: Type.Union([Type.Integer({ minimum: 0, maximum: 9999 }), Type.String({ pattern: '^[A-Za-z]{3}$' })]), end: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 9999 }), Type.String({ pattern: '^[A-Za-z]{3}$' })])), step: Type.Optional(Type.Integer({ minimum: 1, maximum: 9999 })) }),
]);

export const ScheduleSpecBody = Strict({
  intervals: Type.Optional(Type.Array(Strict({ every: Duration('Run every'), offset: Type.Optional(Duration('Shift every run by')) }), { maxItems: 10 })),
  calendars: Type.Optional(Type.Array(Strict(Object.fromEntries(CALENDAR_FIELDS.map((f) => [f, Type.Optional(Type.Union([Type.Literal('*'), Type.Array(CalendarValueSchema, { minItems: 1, maxItems: 60 })]))]))), { maxItems: 10 })),
  cron: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 10, description: 'Five-field cron expressions or @daily, @weekly, …' })),
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of calendars and cron (default UTC)' })),
  catchupWindow: Type.Optional(Duration('How late a missed run may still start (default P1D)')),
  startAt: Type.Optional(DateTime('No run before')),
  endAt: Type.Optional(DateTime('No run after')),
  jitter: Type.Optional(Duration('Random delay of each run, up to')),
});

export const CreateScheduleBody = Strict({
  scheduleId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{2,62}$', description: 'Your name for the schedule, e.g. nightly-accuracy' }),
  description: Type.Optional(Text(500)),
  spec: ScheduleSpecBody,
  scope: Type.Optional(ScopeBody),
  correctiveActions: Type.Optional(CorrectiveActionsBody),
  paused: Type.Optional(Type.Boolean({ description: 'Create it paused' })),
  note: Type.Optional(Text(500, 'Why it is paused, when created paused')),
});

export const NoteBody = Strict({ note: Text(500, 'Why (kept with the schedule and in the evidence trail)') });
export const BackfillBody = Strict({ start: DateTime('First scheduled time to replay'), end: DateTime('Last scheduled time to replay') });

export const CleansingBody = Strict({
  fixes: Type.Optional(Type.Array(FixSchema, { minItems: 1, uniqueItems: true, description: 'Which kinds of fix; all when omitted' })),
  validFor: Type.Optional(Duration('How long the dry run may wait for a decision (default P14D)')),
});
export const DecisionBody = Strict({ decision: literals(['approve', 'reject'] as const), reason: Type.Optional(Text(2000)) });

export const EvidenceBody = Strict({ note: Text(5000, 'What was done to fix the records'), links: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20 })) });
export const VerificationBody = Strict({ outcome: literals(['verified', 'rejected'] as const), note: Text(5000) });
export const RiskAcceptanceBody = Strict({ reason: Text(5000, 'Why the risk is accepted rather than fixed (at least 10 characters)') });

/** A positive ISO 8601 duration no longer than `maxYears`: a century-long deadline is a typo, and overflows dates. */
export function isBoundedDuration(iso: string, maxYears: number): boolean {
  return isDuration(iso) && IsoDuration.fromISO(iso).toMillis() <= maxYears * 366 * 86_400_000;
}

const MAX_POLICY_YEARS = 5;

/** Durations the schema can only shape-check, and principals that must exist: field errors, all at once. */
export async function correctiveActionProblems(settings: CorrectiveActionSettings | undefined, principals: Stores['principals'], path = 'body.correctiveActions'): Promise<FieldError[]> {
  if (!settings) return [];
  const errors: FieldError[] = [];
  const policy = settings.policy ?? {};
  const message = `must be a positive ISO 8601 duration of at most ${MAX_POLICY_YEARS} years`;
  for (const [severity, iso] of Object.entries(policy.dueIn ?? {})) if (iso && !isBoundedDuration(iso, MAX_POLICY_YEARS)) errors.push({ field: `${path}.policy.dueIn.${severity}`, message });
  (policy.reminderLeads ?? []).forEach((iso, i) => !isBoundedDuration(iso, MAX_POLICY_YEARS) && errors.push({ field: `${path}.policy.reminderLeads[${i}]`, message }));
  if (policy.escalateEvery && !isBoundedDuration(policy.escalateEvery, MAX_POLICY_YEARS)) errors.push({ field: `${path}.policy.escalateEvery`, message });
  const named = [
    ['owner', settings.owner],
    ['escalateTo', settings.escalateTo],
    ...Object.entries(settings.owners ?? {}).map(([check, id]) => [`owners.${check}`, id]),
  ] as const;
  for (const [field, id] of named) {
    if (!id) continue;
    const principal = await principals.get(id);
    if (!principal || principal.kind !== 'person' || principal.status !== 'active') errors.push({ field: `${path}.${field}`, message: `principal ${id} does not exist or is not an active person` });
  }
  return errors;
}
