import { ConsentTransitionError, type ConsentChange } from '../../domain/consent';
import { FieldCrypto } from '../../platform/field-crypto';
import { loadKeyring } from '../../platform/keyring';
import { ConsentStore, type ConsentEvent } from '../../store/consents';
import { scratchDatabase } from '../harness/stack';

/**
 * The consent store's optimistic concurrency against a real FerretDB: a writer that builds on a state it read
 * before someone else changed it must neither overwrite that change nor leave its own event behind.
 */
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let store: ConsentStore;

beforeAll(async () => {
  scratch = await scratchDatabase('consent_store');
  store = new ConsentStore(scratch.db, new FieldCrypto(loadKeyring(scratch.config)));
  await store.ensureIndexes();
});

afterAll(() => scratch?.close());

const schedule = { expiresAt: '2027-01-01T00:00:00.000Z', renewalAt: '2026-12-01T00:00:00.000Z', reminderAts: [] };

function eventFor(subjectId: string, change: ConsentChange): ConsentEvent {
  return {
    id: change.eventId,
    subjectId,
    purposeId: 'newsletter',
    type: change.type,
    at: new Date(change.at),
    cycle: 1,
    consentType: 'express',
    lawfulBasis: 'consent',
    noticeVersionId: 'newsletter@1',
    noticeTextHash: 'h',
    method: 'api',
    actor: { id: 'prn_test', type: 'system' },
    expiresAt: null,
  };
}

function grant(eventId: string, at: string): ConsentChange {
  return { type: 'granted', eventId, at, consentType: 'express', noticeVersionId: 'newsletter@1', method: 'api', schedule };
}

async function record(subjectId: string, change: ConsentChange, current?: Awaited<ReturnType<ConsentStore['state']>> | null) {
  return store.record(eventFor(subjectId, change), change, { current, newId: true });
}

describe('consent store', () => {
  it('records a first grant on a state known to be absent without reading it again', async () => {
    const { state, duplicate } = await record('sub_first', grant('cev_first', '2026-01-01T10:00:00.000Z'), null);
    expect(duplicate).toBe(false);
    expect(state.status).toBe('active');
    expect(await store.state('sub_first', 'newsletter')).toMatchObject({ status: 'active', grantEventId: 'cev_first' });
  });

  it('a renewal built on a state read before a concurrent withdrawal is refused and leaves no event', async () => {
    await record('sub_race', grant('cev_race_grant', '2026-01-01T10:00:00.000Z'), null);
    const readBefore = await store.state('sub_race', 'newsletter');
    expect(readBefore?.status).toBe('active');

    // Someone else withdraws after our read.
    await record('sub_race', { type: 'withdrawn', eventId: 'cev_race_withdraw', at: '2026-01-02T10:00:00.000Z' }, await store.state('sub_race', 'newsletter'));

    // Our renewal still holds the stale read: its write must miss, re-read, and find the change no longer applies.
    const renewal: ConsentChange = { ...grant('cev_race_renew', '2026-01-03T10:00:00.000Z'), type: 'renewed' };
    await expect(record('sub_race', renewal, readBefore)).rejects.toBeInstanceOf(ConsentTransitionError);
    expect(await store.event('cev_race_renew')).toBeUndefined();
    expect(await store.state('sub_race', 'newsletter')).toMatchObject({ status: 'withdrawn', lastEventId: 'cev_race_withdraw' });
  });

  it('a change built on a stale read that still applies is applied on top of the newer state', async () => {
    await record('sub_stale', grant('cev_stale_grant', '2026-01-01T10:00:00.000Z'), null);
    const readBefore = await store.state('sub_stale', 'newsletter');
    await record('sub_stale', { ...grant('cev_stale_renew', '2026-01-02T10:00:00.000Z'), type: 'renewed' }, await store.state('sub_stale', 'newsletter'));

    const { state } = await record('sub_stale', { type: 'withdrawn', eventId: 'cev_stale_withdraw', at: '2026-01-03T10:00:00.000Z' }, readBefore);
    expect(state).toMatchObject({ status: 'withdrawn', grantEventId: 'cev_stale_renew', lastEventId: 'cev_stale_withdraw' });
    expect(await store.state('sub_stale', 'newsletter')).toEqual(state);
  });

  it('a withdrawal racing a renewal is never lost: whichever lands first, the consent ends withdrawn', async () => {
    for (let n = 0; n < 10; n += 1) {
      const subjectId = `sub_racing_${n}`;
      await record(subjectId, grant(`cev_racing_${n}_grant`, '2026-01-01T10:00:00.000Z'), null);
      const read = await store.state(subjectId, 'newsletter');
      const [renewal, withdrawal] = await Promise.allSettled([
        record(subjectId, { ...grant(`cev_racing_${n}_renew`, '2026-01-02T10:00:00.000Z'), type: 'renewed' }, read),
        record(subjectId, { type: 'withdrawn', eventId: `cev_racing_${n}_withdraw`, at: '2026-01-02T10:00:00.000Z' }, read),
      ]);
      expect(withdrawal.status).toBe('fulfilled');
      const state = await store.state(subjectId, 'newsletter');
      expect(state).toMatchObject({ status: 'withdrawn', lastEventId: `cev_racing_${n}_withdraw` });
      // A renewal that lost the race left no event behind; one that won is the grant the withdrawal ended.
      if (renewal.status === 'rejected') expect(await store.event(`cev_racing_${n}_renew`)).toBeUndefined();
      else expect(state!.grantEventId).toBe(`cev_racing_${n}_renew`);
    }
  });

  it('concurrent withdrawals of one consent: exactly one is recorded', async () => {
    await record('sub_both', grant('cev_both_grant', '2026-01-01T10:00:00.000Z'), null);
    const read = await store.state('sub_both', 'newsletter');
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((n) => record('sub_both', { type: 'withdrawn', eventId: `cev_both_${n}`, at: '2026-01-02T10:00:00.000Z' }, read)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const state = await store.state('sub_both', 'newsletter');
    const kept = await Promise.all(['a', 'b', 'c'].map((n) => store.event(`cev_both_${n}`)));
    expect(kept.filter(Boolean).map((e) => e!.id)).toEqual([state!.lastEventId]);
  });
});
