import { isDateRef, isInstant, isIsoDate, resolveDateRef } from '../../domain/vendor/dates';

const NOW = '2026-11-29T12:00:00.000Z';

describe('dates', () => {
  it.each([
    ['2026-02-28', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00:00Z', false],
    [20260101, false],
  ])('isIsoDate(%j) is %s', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });

  it.each([
    ['2026-03-01T10:00:00.000Z', true],
    ['2026-03-01T10:00:00+01:00', true],
    ['2026-03-01T10:00', false],
    ['2026-03-01T10:00:00.000+0530', true],
    ['2026-03-01', false],
    ['2026-02-30T10:00:00Z', false],
    ['March 1, 2026', false],
    [1772359200000, false],
  ])('isInstant(%j) is %s', (value, expected) => {
    expect(isInstant(value)).toBe(expected);
  });
});

describe('dates in conditions', () => {
  it.each([
    ['relative:now', NOW, '2026-11-29'],
    ['relative:-P12M', NOW, '2025-11-29'],
    ['relative:+P30D', NOW, '2026-12-29'],
    ['relative:P1D', NOW, '2026-11-30'],
    ['relative:-P1M', '2026-03-31T08:00:00.000Z', '2026-02-28'],
    ['relative:-P1M', '2028-03-31T08:00:00.000Z', '2028-02-29'],
    ['relative:-P12M', '2028-02-29T08:00:00.000Z', '2027-02-28'],
    ['relative:now', '2026-11-29T23:30:00.000-02:00', '2026-11-30'],
    ['2024-02-29', NOW, '2024-02-29'],
  ])('%s at %s is %s', (ref, now, date) => {
    expect(isDateRef(ref)).toBe(true);
    expect(resolveDateRef(ref, now)).toBe(date);
  });

  it.each(['yesterday', 'relative:', 'relative:-', 'relative:-P0D', 'relative:-P1M-2D', 'relative:P', '2026-13-01', '2026-02-29', '26-01-01', 'now'])('refuses %s', (ref) => {
    expect(isDateRef(ref)).toBe(false);
    expect(() => resolveDateRef(ref, NOW)).toThrow(RangeError);
  });

  it('refuses an unreadable now', () => {
    expect(() => resolveDateRef('relative:now', 'soon')).toThrow(RangeError);
  });
});
