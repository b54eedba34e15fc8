/**
 * Ending a vendor relationship: the tasks that make sure the vendor keeps nothing of ours — access revoked, data
 * returned or deleted (GDPR Art. 28(3)(g)), contract terminated, and the same flowed down to its sub-processors when
 * it has any. Each task belongs to the vendor's internal owner and is due a set number of days after offboarding
 * starts (calendar days, UTC). Checked by `refuseTaskCompletion` and applied by `completeTask`, like every other
 * human step; the vendor is offboarded only when `offboardingComplete` says so.
 */
import { DateTime } from 'luxon';
import type { Actor } from '../evidence';
import { evidenceFileProblem } from './evidence-file';
import type { EvidenceFile, Vendor } from './types';

export const OFFBOARDING_TASK_KINDS = ['revoke-access', 'return-or-delete-data', 'terminate-contract', 'revoke-sub-processor-access'] as const;
export type OffboardingTaskKind = (typeof OFFBOARDING_TASK_KINDS)[number];

/** Access goes at once; data and contracts take the usual 30 days of a DPA's end-of-service clause. */
export const DEFAULT_OFFBOARDING_DAYS: Readonly<Record<OffboardingTaskKind, number>> = {
  'revoke-access': 1,
  'return-or-delete-data': 30,
  'terminate-contract': 30,
  'revoke-sub-processor-access': 30,
};

const DESCRIPTIONS: Readonly<Record<OffboardingTaskKind, string>> = {
  'revoke-access': 'Revoke every account, key, token, VPN and badge the vendor holds in our systems and premises.',
  'return-or-delete-data': 'Have the vendor return or delete all our data, backups included, and obtain its certificate of deletion.',
  'terminate-contract': 'Terminate the contract and the DPA, and stop payments and renewals.',
  'revoke-sub-processor-access': "Obtain confirmation that the vendor's sub-processors no longer hold our data or access.",
};

export interface OffboardingTask {
  kind: OffboardingTaskKind;
  description: string;
  owner: string;
  openedAt: string;
  dueAt: string;
  completedAt?: string;
  completedBy?: Actor;
  note?: string;
  /** For the data task: whether the data came back or was deleted. */
  outcome?: 'returned' | 'deleted';
  /** For the data task: the vendor's certificate of deletion (returning data still leaves copies to delete). */
  evidence?: EvidenceFile;
}

export interface TaskCompletion {
  kind: OffboardingTaskKind;
  by: Actor;
  note?: string;
  outcome?: 'returned' | 'deleted';
  evidence?: EvidenceFile;
}

/** The tasks that open when offboarding starts at `at`. `days` overrides the default days of any task. */
export function offboardingTasks(vendor: Pick<Vendor, 'internalOwner' | 'subProcessors'>, at: string, days: Partial<Record<OffboardingTaskKind, number>> = {}): OffboardingTask[] {
  const start = DateTime.fromISO(at, { zone: 'utc' });
  if (!start.isValid) throw new RangeError(`at "${at}" is not an ISO 8601 timestamp`);
  const merged = { ...DEFAULT_OFFBOARDING_DAYS, ...days };
  const kinds = OFFBOARDING_TASK_KINDS.filter((k) => k !== 'revoke-sub-processor-access' || vendor.subProcessors.length > 0);
  return kinds.map((kind) => {
    const n = merged[kind];
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`days for ${kind} must be a whole number, 0 or more`);
    return { kind, description: DESCRIPTIONS[kind], owner: vendor.internalOwner, openedAt: start.toISO() as string, dueAt: start.plus({ days: n }).toISO() as string };
  });
}

/** Why this completion may not be recorded at `at`, or undefined when it may. */
export function refuseTaskCompletion(tasks: readonly OffboardingTask[], completion: TaskCompletion, at: string): string | undefined {
  const task = tasks.find((t) => t.kind === completion.kind);
  if (!task) return `No ${completion.kind} task in this offboarding; it has: ${tasks.map((t) => t.kind).join(', ')}.`;
  if (task.completedAt) return `${task.kind} was already completed at ${task.completedAt}.`;
  if (Date.parse(at) < Date.parse(task.openedAt)) return 'A task cannot be completed before it was opened.';
  if (completion.kind !== 'return-or-delete-data') {
    if (completion.outcome || completion.evidence) return 'Only the data task records an outcome and a certificate of deletion.';
    return undefined;
  }
  if (completion.outcome !== 'returned' && completion.outcome !== 'deleted') return "Say whether the data was 'returned' or 'deleted'.";
  if (!completion.evidence) return 'The data task needs the certificate of deletion as evidence: { name, sha256 }.';
  const problem = evidenceFileProblem(completion.evidence);
  return problem ? `Certificate of deletion: ${problem}.` : undefined;
}

/** Records a completion; throws a RangeError when `refuseTaskCompletion` would refuse it. */
export function completeTask(tasks: readonly OffboardingTask[], completion: TaskCompletion, at: string): OffboardingTask[] {
  const refused = refuseTaskCompletion(tasks, completion, at);
  if (refused) throw new RangeError(refused);
  return tasks.map((t) =>
    t.kind === completion.kind
      ? {
          ...t,
          completedAt: at,
          completedBy: completion.by,
          ...(completion.note?.trim() ? { note: completion.note.trim() } : {}),
          ...(completion.outcome ? { outcome: completion.outcome } : {}),
          ...(completion.evidence ? { evidence: completion.evidence } : {}),
        }
      : t,
  );
}

/** True once there are tasks and every one is done. */
export function offboardingComplete(tasks: readonly OffboardingTask[]): boolean {
  return tasks.length > 0 && tasks.every((t) => t.completedAt !== undefined);
}
