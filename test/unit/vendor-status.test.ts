import { TRANSITIONS, nextStatuses, refuseTransition } from '../../domain/vendor/status';
import { VENDOR_STATUSES, type VendorStatus } from '../../domain/vendor/types';

/** The whole graph, written out independently of the table so that any change to it shows here. */
const ALLOWED: Record<VendorStatus, VendorStatus[]> = {
  prospective: ['under-review'],
  'under-review': ['approved', 'approved-with-conditions', 'rejected'],
  approved: ['monitoring', 'under-review', 'offboarding'],
  'approved-with-conditions': ['monitoring', 'under-review', 'offboarding'],
  rejected: ['under-review', 'offboarding'],
  monitoring: ['under-review', 'offboarding'],
  offboarding: ['offboarded'],
  offboarded: ['under-review'],
};

const PAIRS: Array<[VendorStatus, VendorStatus, boolean]> = VENDOR_STATUSES.flatMap((from) => VENDOR_STATUSES.map((to): [VendorStatus, VendorStatus, boolean] => [from, to, ALLOWED[from].includes(to)]));

describe('refuseTransition', () => {
  it.each(PAIRS)('%s → %s allowed: %s', (from, to, allowed) => {
    const refusal = refuseTransition(from, to);
    if (allowed) expect(refusal).toBeUndefined();
    else expect(refusal).toEqual(expect.any(String));
  });

  it('says what is possible instead', () => {
    expect(refuseTransition('prospective', 'approved')).toBe('A vendor cannot go from prospective to approved; from prospective it can go to: under-review.');
    expect(refuseTransition('offboarding', 'monitoring')).toBe('A vendor cannot go from offboarding to monitoring; from offboarding it can go to: offboarded.');
    expect(refuseTransition('monitoring', 'monitoring')).toBe('The vendor is already monitoring.');
  });
});

describe('the transition table', () => {
  it('lists each edge once, between known statuses, with why it exists', () => {
    const keys = TRANSITIONS.map((t) => `${t.from}→${t.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of TRANSITIONS) {
      expect(VENDOR_STATUSES).toContain(t.from);
      expect(VENDOR_STATUSES).toContain(t.to);
      expect(t.why.length).toBeGreaterThan(0);
    }
  });

  it.each(VENDOR_STATUSES.map((s) => [s, ALLOWED[s]] as [VendorStatus, VendorStatus[]]))('from %s: %j', (from, to) => {
    expect(nextStatuses(from)).toEqual(to);
  });

  it('leaves no status unreachable and none a dead end', () => {
    const reachable = new Set(TRANSITIONS.map((t) => t.to));
    expect(VENDOR_STATUSES.filter((s) => s !== 'prospective' && !reachable.has(s))).toEqual([]);
    expect(VENDOR_STATUSES.filter((s) => nextStatuses(s).length === 0)).toEqual([]);
  });
});
