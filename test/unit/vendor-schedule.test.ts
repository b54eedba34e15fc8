import { DEFAULT_QUESTIONNAIRE_TIMING, questionnaireSchedule, timingProblems, type QuestionnaireTiming } from '../../domain/vendor/schedule';

const SENT = '2026-03-02T09:00:00.000Z';
const timing = (over: Partial<QuestionnaireTiming> = {}): QuestionnaireTiming => ({ ...DEFAULT_QUESTIONNAIRE_TIMING, ...over });

describe('questionnaireSchedule', () => {
  it('by default reminds weekly three times, escalates after two weeks and expires after thirty days', () => {
    expect(DEFAULT_QUESTIONNAIRE_TIMING).toEqual({ remindEvery: 'P7D', maxReminders: 3, escalateAfter: 'P14D', expiresAfter: 'P30D' });
    expect(questionnaireSchedule(SENT, DEFAULT_QUESTIONNAIRE_TIMING)).toEqual({
      reminders: ['2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z'],
      escalationAt: '2026-03-16T09:00:00.000Z',
      expiresAt: '2026-04-01T09:00:00.000Z',
    });
  });

  it.each([
    // [label, timing, reminders, escalation, expiry]
    ['no reminders', timing({ maxReminders: 0 }), [], '2026-03-16T09:00:00.000Z', '2026-04-01T09:00:00.000Z'],
    [
      'reminders stop before expiry, whatever the maximum',
      timing({ remindEvery: 'P10D', maxReminders: 10 }),
      ['2026-03-12T09:00:00.000Z', '2026-03-22T09:00:00.000Z'],
      '2026-03-16T09:00:00.000Z',
      '2026-04-01T09:00:00.000Z',
    ],
    [
      'a reminder exactly at expiry is dropped',
      timing({ remindEvery: 'P15D', maxReminders: 5 }),
      ['2026-03-17T09:00:00.000Z'],
      '2026-03-16T09:00:00.000Z',
      '2026-04-01T09:00:00.000Z',
    ],
    [
      'seconds, for tests',
      { remindEvery: 'PT30S', maxReminders: 2, escalateAfter: 'PT90S', expiresAfter: 'PT2M' },
      ['2026-03-02T09:00:30.000Z', '2026-03-02T09:01:00.000Z'],
      '2026-03-02T09:01:30.000Z',
      '2026-03-02T09:02:00.000Z',
    ],
  ] as Array<[string, QuestionnaireTiming, string[], string, string]>)('%s', (_label, t, reminders, escalationAt, expiresAt) => {
    expect(questionnaireSchedule(SENT, t)).toEqual({ reminders, escalationAt, expiresAt });
  });

  it('counts calendar months from the sending each time, so month ends do not drift', () => {
    // From 31 January: 28 February, 31 March, 30 April — not 28 February, 28 March, 28 April.
    expect(questionnaireSchedule('2026-01-31T10:00:00.000Z', { remindEvery: 'P1M', maxReminders: 3, escalateAfter: 'P2M', expiresAfter: 'P4M' })).toEqual({
      reminders: ['2026-02-28T10:00:00.000Z', '2026-03-31T10:00:00.000Z', '2026-04-30T10:00:00.000Z'],
      escalationAt: '2026-03-31T10:00:00.000Z',
      expiresAt: '2026-05-31T10:00:00.000Z',
    });
    expect(questionnaireSchedule('2028-01-31T10:00:00.000Z', { remindEvery: 'P1M', maxReminders: 1, escalateAfter: 'P1M', expiresAfter: 'P3M' }).reminders).toEqual([
      '2028-02-29T10:00:00.000Z',
    ]);
  });

  it('keeps elapsed time in UTC across a daylight-saving change', () => {
    expect(questionnaireSchedule('2026-03-27T12:00:00.000+01:00', timing({ maxReminders: 1 })).reminders).toEqual(['2026-04-03T11:00:00.000Z']);
  });

  it.each([
    ['an unreadable sentAt', 'next monday', timing()],
    ['an invalid timing', SENT, timing({ remindEvery: '7 days' })],
  ])('throws a RangeError for %s', (_label, sentAt, t) => {
    expect(() => questionnaireSchedule(sentAt, t)).toThrow(RangeError);
  });
});

describe('timingProblems', () => {
  it.each([
    ['remindEvery', timing({ remindEvery: '7 days' }), /positive ISO 8601 duration/],
    ['remindEvery', timing({ remindEvery: 'P0D' }), /positive ISO 8601 duration/],
    ['escalateAfter', timing({ escalateAfter: 'P-1D' }), /positive ISO 8601 duration/],
    ['expiresAfter', timing({ expiresAfter: '' }), /positive ISO 8601 duration/],
    ['maxReminders', timing({ maxReminders: -1 }), /whole number from 0 to 52/],
    ['maxReminders', timing({ maxReminders: 1.5 }), /whole number from 0 to 52/],
    ['maxReminders', timing({ maxReminders: 53 }), /whole number from 0 to 52/],
    ['escalateAfter', timing({ escalateAfter: 'P30D' }), /before expiresAfter/],
    ['escalateAfter', timing({ escalateAfter: 'P31D' }), /before expiresAfter/],
    // A month may last 28 days: 30 days is not before a month from 1 February.
    ['escalateAfter', timing({ escalateAfter: 'P30D', expiresAfter: 'P1M' }), /before expiresAfter/],
    ['escalateAfter', timing({ escalateAfter: 'P28D', expiresAfter: 'P1M' }), /before expiresAfter/],
    ['escalateAfter', timing({ escalateAfter: 'P1Y', expiresAfter: 'P365D' }), /before expiresAfter/],
  ] as Array<[string, QuestionnaireTiming, RegExp]>)('refuses a bad %s', (field, t, message) => {
    expect(timingProblems(t)).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it.each([
    ['the default', timing()],
    ['escalation a day before expiry', timing({ escalateAfter: 'P29D' })],
    ['27 days before a month', timing({ escalateAfter: 'P27D', expiresAfter: 'P1M' })],
    ['a month before 32 days', timing({ escalateAfter: 'P1M', expiresAfter: 'P32D' })],
    ['the maximum reminders', timing({ maxReminders: 52 })],
    ['mixed units', timing({ escalateAfter: 'P1W', expiresAfter: 'P1MT1H' })],
  ] as Array<[string, QuestionnaireTiming]>)('accepts %s', (_label, t) => {
    expect(timingProblems(t)).toEqual([]);
  });
});
