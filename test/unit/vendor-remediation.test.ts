import { remediationState, remediationStatus, type RemediationState } from '../../domain/vendor/remediation';
import type { RemediationItem } from '../../domain/vendor/types';

const DUE = '2026-12-01T00:00:00.000Z';
const item = (id: string, over: Partial<RemediationItem> = {}): RemediationItem => ({ id, description: 'Fix', owner: 'prn_owner', dueAt: DUE, covers: [], ...over });

describe('remediationState', () => {
  it.each([
    ['before the due instant', '2026-11-30T23:59:59.999Z', {}, 'open'],
    ['exactly at the due instant', DUE, {}, 'open'],
    ['a millisecond after', '2026-12-01T00:00:00.001Z', {}, 'overdue'],
    ['completed on time', '2026-12-15T00:00:00.000Z', { completedAt: '2026-11-20T00:00:00.000Z' }, 'done'],
    ['completed late', '2026-12-15T00:00:00.000Z', { completedAt: '2026-12-10T00:00:00.000Z' }, 'done'],
    ['completed, asked before the due instant', '2026-11-01T00:00:00.000Z', { completedAt: '2026-10-10T00:00:00.000Z' }, 'done'],
  ] as Array<[string, string, Partial<RemediationItem>, RemediationState]>)('%s: %s', (_label, now, over, state) => {
    expect(remediationState(item('r1', over), now)).toBe(state);
  });
});

describe('remediationStatus', () => {
  it('counts open, overdue and done items and lists each', () => {
    const items = [
      item('r1'),
      item('r2', { dueAt: '2026-11-01T00:00:00.000Z' }),
      item('r3', { completedAt: '2026-11-02T00:00:00.000Z' }),
      item('r4', { dueAt: '2026-10-01T00:00:00.000Z' }),
    ];
    expect(remediationStatus(items, '2026-11-29T00:00:00.000Z')).toEqual({
      open: 1,
      overdue: 2,
      done: 1,
      items: [
        { id: 'r1', state: 'open', dueAt: DUE },
        { id: 'r2', state: 'overdue', dueAt: '2026-11-01T00:00:00.000Z' },
        { id: 'r3', state: 'done', dueAt: DUE },
        { id: 'r4', state: 'overdue', dueAt: '2026-10-01T00:00:00.000Z' },
      ],
    });
  });

  it('is all zeros for no items', () => {
    expect(remediationStatus([], '2026-11-29T00:00:00.000Z')).toEqual({ open: 0, overdue: 0, done: 0, items: [] });
  });
});
