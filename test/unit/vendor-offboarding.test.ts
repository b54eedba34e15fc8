import type { Actor } from '../../domain/evidence';
import {
  DEFAULT_OFFBOARDING_DAYS,
  completeTask,
  offboardingComplete,
  offboardingTasks,
  refuseTaskCompletion,
  type OffboardingTask,
  type OffboardingTaskKind,
  type TaskCompletion,
} from '../../domain/vendor/offboarding';
import type { SubProcessor } from '../../domain/vendor/types';

const AT = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-05T10:00:00.000Z';
const BY: Actor = { id: 'prn_owner', type: 'person' };
const CERTIFICATE = { name: 'certificate-of-deletion.pdf', sha256: 'cd'.repeat(32), contentType: 'application/pdf' };
const SUB: SubProcessor = { name: 'Hoster', country: 'DE', service: 'hosting' };

const vendor = (subProcessors: SubProcessor[] = []) => ({ internalOwner: 'prn_owner', subProcessors });
const done = (kind: OffboardingTaskKind): TaskCompletion =>
  kind === 'return-or-delete-data' ? { kind, by: BY, outcome: 'deleted', evidence: CERTIFICATE } : { kind, by: BY };

describe('offboardingTasks', () => {
  it('opens the three tasks for the internal owner, due after the default days', () => {
    expect(DEFAULT_OFFBOARDING_DAYS).toEqual({ 'revoke-access': 1, 'return-or-delete-data': 30, 'terminate-contract': 30, 'revoke-sub-processor-access': 30 });
    const tasks = offboardingTasks(vendor(), AT);
    expect(tasks.map((t) => [t.kind, t.owner, t.openedAt, t.dueAt])).toEqual([
      ['revoke-access', 'prn_owner', AT, '2026-03-02T10:00:00.000Z'],
      ['return-or-delete-data', 'prn_owner', AT, '2026-03-31T10:00:00.000Z'],
      ['terminate-contract', 'prn_owner', AT, '2026-03-31T10:00:00.000Z'],
    ]);
    for (const t of tasks) expect(t.description.length).toBeGreaterThan(0);
  });

  it('adds the sub-processor task when the vendor has sub-processors', () => {
    expect(offboardingTasks(vendor([SUB]), AT).map((t) => t.kind)).toEqual(['revoke-access', 'return-or-delete-data', 'terminate-contract', 'revoke-sub-processor-access']);
  });

  it.each([
    [{ 'revoke-access': 0 }, 'revoke-access', AT],
    [{ 'return-or-delete-data': 14 }, 'return-or-delete-data', '2026-03-15T10:00:00.000Z'],
    [{ 'terminate-contract': 90 }, 'terminate-contract', '2026-05-30T10:00:00.000Z'],
    [{ 'revoke-sub-processor-access': 2 }, 'revoke-sub-processor-access', '2026-03-03T10:00:00.000Z'],
  ] as Array<[Partial<Record<OffboardingTaskKind, number>>, OffboardingTaskKind, string]>)('days %j: %s is due %s', (days, kind, due) => {
    expect(offboardingTasks(vendor([SUB]), AT, days).find((t) => t.kind === kind)?.dueAt).toBe(due);
  });

  it('counts calendar days in UTC across February of a leap year', () => {
    expect(offboardingTasks(vendor(), '2028-02-01T00:00:00.000Z').find((t) => t.kind === 'terminate-contract')?.dueAt).toBe('2028-03-02T00:00:00.000Z');
  });

  it.each([
    ['an unreadable instant', 'today', {}],
    ['negative days', AT, { 'revoke-access': -1 }],
    ['fractional days', AT, { 'terminate-contract': 0.5 }],
  ])('throws a RangeError for %s', (_label, at, days) => {
    expect(() => offboardingTasks(vendor(), at, days)).toThrow(RangeError);
  });
});

describe('completing tasks', () => {
  const tasks = offboardingTasks(vendor([SUB]), AT);

  it.each([
    ['revoking access', done('revoke-access'), undefined],
    ['terminating the contract with a note', { kind: 'terminate-contract', by: BY, note: 'Notice sent' }, undefined],
    ['the sub-processor task', done('revoke-sub-processor-access'), undefined],
    ['the data task, deleted, with the certificate', done('return-or-delete-data'), undefined],
    ['the data task, returned, with the certificate', { kind: 'return-or-delete-data', by: BY, outcome: 'returned', evidence: { name: 'c.pdf', sha256: 'ef'.repeat(32) } }, undefined],
    ['the data task without the certificate', { kind: 'return-or-delete-data', by: BY, outcome: 'deleted' }, /certificate of deletion/],
    ['the data task without the outcome', { kind: 'return-or-delete-data', by: BY, evidence: CERTIFICATE }, /'returned' or 'deleted'/],
    ['the data task with a bad hash', { kind: 'return-or-delete-data', by: BY, outcome: 'deleted', evidence: { name: 'c.pdf', sha256: 'nope' } }, /Certificate of deletion: sha256 must be 64/],
    ['the data task with a nameless certificate', { kind: 'return-or-delete-data', by: BY, outcome: 'deleted', evidence: { name: '', sha256: 'ef'.repeat(32) } }, /Certificate of deletion: the document needs a name/],
    ['evidence on another task', { kind: 'revoke-access', by: BY, evidence: CERTIFICATE }, /Only the data task/],
    ['an outcome on another task', { kind: 'terminate-contract', by: BY, outcome: 'deleted' }, /Only the data task/],
  ] as Array<[string, TaskCompletion, RegExp | undefined]>)('%s', (_label, completion, refusal) => {
    const result = refuseTaskCompletion(tasks, completion, LATER);
    if (refusal) {
      expect(result).toMatch(refusal);
      expect(() => completeTask(tasks, completion, LATER)).toThrow(RangeError);
    } else {
      expect(result).toBeUndefined();
    }
  });

  it('refuses a task that is not open in this offboarding', () => {
    expect(refuseTaskCompletion(offboardingTasks(vendor(), AT), done('revoke-sub-processor-access'), LATER)).toBe(
      'No revoke-sub-processor-access task in this offboarding; it has: revoke-access, return-or-delete-data, terminate-contract.',
    );
  });

  it('refuses completing a task twice, or before it was opened', () => {
    const once = completeTask(tasks, done('revoke-access'), LATER);
    expect(refuseTaskCompletion(once, done('revoke-access'), LATER)).toBe(`revoke-access was already completed at ${LATER}.`);
    expect(refuseTaskCompletion(tasks, done('revoke-access'), '2026-03-01T09:59:59.999Z')).toBe('A task cannot be completed before it was opened.');
    expect(refuseTaskCompletion(tasks, done('revoke-access'), AT)).toBeUndefined();
  });

  it('records who completed what, when, with the certificate, and leaves the other tasks alone', () => {
    const after = completeTask(tasks, { ...done('return-or-delete-data'), note: '  All copies deleted ' }, LATER);
    expect(after.find((t) => t.kind === 'return-or-delete-data')).toEqual(
      expect.objectContaining({ completedAt: LATER, completedBy: BY, outcome: 'deleted', evidence: CERTIFICATE, note: 'All copies deleted' }),
    );
    expect(after.filter((t) => t.kind !== 'return-or-delete-data')).toEqual(tasks.filter((t) => t.kind !== 'return-or-delete-data'));
    expect(tasks.every((t) => t.completedAt === undefined)).toBe(true);
  });
});

describe('offboardingComplete', () => {
  const complete = (tasks: OffboardingTask[], kinds: OffboardingTaskKind[]): OffboardingTask[] => kinds.reduce((ts, k) => completeTask(ts, done(k), LATER), tasks);
  const three = offboardingTasks(vendor(), AT);
  const four = offboardingTasks(vendor([SUB]), AT);

  it.each([
    ['nothing done', three, [], false],
    ['access revoked only', three, ['revoke-access'], false],
    ['all but the data task', three, ['revoke-access', 'terminate-contract'], false],
    ['all three', three, ['revoke-access', 'return-or-delete-data', 'terminate-contract'], true],
    ['three of four, sub-processors pending', four, ['revoke-access', 'return-or-delete-data', 'terminate-contract'], false],
    ['all four, in another order', four, ['revoke-sub-processor-access', 'terminate-contract', 'return-or-delete-data', 'revoke-access'], true],
  ] as Array<[string, OffboardingTask[], OffboardingTaskKind[], boolean]>)('%s: %s', (_label, tasks, kinds, expected) => {
    expect(offboardingComplete(complete(tasks, kinds))).toBe(expected);
  });

  it('is never complete without tasks', () => {
    expect(offboardingComplete([])).toBe(false);
  });
});
