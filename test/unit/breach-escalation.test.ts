import { DEFAULT_LADDER, nextEscalation, stepAt, type EscalationLadder } from '../../domain/breach/escalation';

// A 72-hour window: 50% = +36 h, 75% = +54 h, 90% = +64 h 48 min.
const WINDOW = { startsAt: '2026-06-01T00:00:00.000Z', dueAt: '2026-06-04T00:00:00.000Z' };

describe('stepAt', () => {
  it('the default ladder escalates at 50%, 75% and 90%, then daily after the deadline', () => {
    expect(DEFAULT_LADDER).toEqual({ at: [0.5, 0.75, 0.9], overdueEverySeconds: 86_400 });
  });

  it.each([
    // [index, label, at, overdue]
    [0, '50%', '2026-06-02T12:00:00.000Z', false],
    [1, '75%', '2026-06-03T06:00:00.000Z', false],
    [2, '90%', '2026-06-03T16:48:00.000Z', false],
    [3, 'due', '2026-06-04T00:00:00.000Z', false],
    [4, 'overdue-1', '2026-06-05T00:00:00.000Z', true],
    [5, 'overdue-2', '2026-06-06T00:00:00.000Z', true],
    [10, 'overdue-7', '2026-06-11T00:00:00.000Z', true],
    [103, 'overdue-100', '2026-09-12T00:00:00.000Z', true],
    [368, 'overdue-365', '2027-06-04T00:00:00.000Z', true],
  ])('default ladder, step %i is %s at %s', (index, label, at, overdue) => {
    expect(stepAt(DEFAULT_LADDER, WINDOW, index)).toEqual({ label, at, overdue });
  });

  it.each([
    // [ladder, index, label, at, overdue]
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 0, '25%', '2026-06-01T18:00:00.000Z', false],
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 1, '50%', '2026-06-02T12:00:00.000Z', false],
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 2, '90%', '2026-06-03T16:48:00.000Z', false],
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 3, 'due', '2026-06-04T00:00:00.000Z', false],
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 4, 'overdue-1', '2026-06-04T01:00:00.000Z', true],
    [{ at: [0.9, 0.25, 0.5], overdueEverySeconds: 3600 }, 27, 'overdue-24', '2026-06-05T00:00:00.000Z', true],
    [{ at: [0.333], overdueEverySeconds: 60 }, 0, '33.3%', '2026-06-01T23:58:33.600Z', false],
    [{ at: [0.333], overdueEverySeconds: 60 }, 2, 'overdue-1', '2026-06-04T00:01:00.000Z', true],
    [{ at: [], overdueEverySeconds: 60 }, 0, 'due', '2026-06-04T00:00:00.000Z', false],
  ] as Array<[EscalationLadder, number, string, string, boolean]>)('ladder %j, step %i is %s at %s', (ladder, index, label, at, overdue) => {
    expect(stepAt(ladder, WINDOW, index)).toEqual({ label, at, overdue });
  });

  it('does not reorder the ladder it is given', () => {
    const ladder = { at: [0.9, 0.5, 0.75], overdueEverySeconds: 60 };
    stepAt(ladder, WINDOW, 0);
    expect(ladder.at).toEqual([0.9, 0.5, 0.75]);
  });
});

describe('nextEscalation', () => {
  it.each([
    // [handled, now, index, label, skipped]
    [0, '2026-06-01T00:00:00.000Z', 0, '50%', []],
    [0, '2026-06-02T11:59:59.999Z', 0, '50%', []],
    [0, '2026-06-02T12:00:00.000Z', 0, '50%', []],
    [0, '2026-06-03T05:59:59.999Z', 0, '50%', []],
    [0, '2026-06-03T06:00:00.000Z', 1, '75%', ['50%']],
    [0, '2026-06-03T20:00:00.000Z', 2, '90%', ['50%', '75%']],
    [0, '2026-06-04T00:00:00.000Z', 3, 'due', ['50%', '75%', '90%']],
    [0, '2026-06-05T12:00:00.000Z', 4, 'overdue-1', ['50%', '75%', '90%', 'due']],
    [1, '2026-06-02T13:00:00.000Z', 1, '75%', []],
    [1, '2026-06-03T07:00:00.000Z', 1, '75%', []],
    [1, '2026-06-03T17:00:00.000Z', 2, '90%', ['75%']],
    [2, '2026-06-04T01:00:00.000Z', 3, 'due', ['90%']],
    [3, '2026-06-01T00:00:00.000Z', 3, 'due', []],
    [3, '2026-06-04T23:59:59.999Z', 3, 'due', []],
    [4, '2026-06-10T00:00:00.000Z', 9, 'overdue-6', ['overdue-1', 'overdue-2', 'overdue-3', 'overdue-4', 'overdue-5']],
    [9, '2026-06-10T00:00:00.000Z', 9, 'overdue-6', []],
  ] as Array<[number, string, number, string, string[]]>)('handled %i at %s → step %i (%s), skipping %j', (handled, now, index, label, skipped) => {
    const next = nextEscalation(DEFAULT_LADDER, WINDOW, handled, now);
    expect(next).toEqual({ index, step: stepAt(DEFAULT_LADDER, WINDOW, index), skipped });
    expect(next.step.label).toBe(label);
  });

  it('treats an unsorted ladder like the sorted one', () => {
    const unsorted = { at: [0.9, 0.5, 0.75], overdueEverySeconds: 86_400 };
    for (const now of ['2026-06-01T00:00:00.000Z', '2026-06-03T06:00:00.000Z', '2026-06-03T20:00:00.000Z', '2026-06-06T00:00:00.000Z']) {
      expect(nextEscalation(unsorted, WINDOW, 0, now)).toEqual(nextEscalation(DEFAULT_LADDER, WINDOW, 0, now));
    }
    expect(nextEscalation(unsorted, WINDOW, 0, '2026-06-03T20:00:00.000Z')).toEqual({
      index: 2,
      step: { label: '90%', at: '2026-06-03T16:48:00.000Z', overdue: false },
      skipped: ['50%', '75%'],
    });
  });

  it('keeps escalating after the deadline, indefinitely', () => {
    const next = nextEscalation(DEFAULT_LADDER, WINDOW, 0, '2027-06-04T00:00:00.000Z');
    expect(next.index).toBe(368);
    expect(next.step).toEqual({ label: 'overdue-365', at: '2027-06-04T00:00:00.000Z', overdue: true });
    expect(next.skipped).toHaveLength(368);
    expect(next.skipped.slice(0, 5)).toEqual(['50%', '75%', '90%', 'due', 'overdue-1']);
    expect(next.skipped.at(-1)).toBe('overdue-364');
  });

  it('walks the whole ladder when each step is sent on time', () => {
    const sent: string[] = [];
    let handled = 0;
    for (const now of ['2026-06-02T12:00:00.000Z', '2026-06-03T06:00:00.000Z', '2026-06-03T16:48:00.000Z', '2026-06-04T00:00:00.000Z', '2026-06-05T00:00:00.000Z', '2026-06-06T00:00:00.000Z']) {
      const next = nextEscalation(DEFAULT_LADDER, WINDOW, handled, now);
      expect(next.skipped).toEqual([]);
      expect(next.step.at).toBe(now);
      sent.push(next.step.label);
      handled = next.index + 1;
    }
    expect(sent).toEqual(['50%', '75%', '90%', 'due', 'overdue-1', 'overdue-2']);
  });
});

describe('step labels', () => {
  it('stay distinct for close fractions, which would otherwise share idempotency keys', () => {
    const ladder: EscalationLadder = { at: [0.001, 0.002, 0.003, 0.29], overdueEverySeconds: 60 };
    const window = { startsAt: '2026-06-01T00:00:00.000Z', dueAt: '2026-06-02T00:00:00.000Z' };
    expect([0, 1, 2, 3].map((i) => stepAt(ladder, window, i).label)).toEqual(['0.1%', '0.2%', '0.3%', '29%']);
  });
});
