import { ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { hashEvent, type EvidenceEvent, type EvidenceInput } from '../../domain/evidence';
import type { Config } from '../../platform/config';
import { EvidenceStore } from '../../store/evidence';
import { connectDatabase, type Database } from '../../platform/mongo';
import { testConfig } from '../harness/stack';

/**
 * The evidence store against a real FerretDB. Each test gets its own database (so its own chain); tamper tests edit
 * the raw `evidence_events` collection directly, as someone with database access would.
 */
let config: Config;
let database: Database;
const databases: Db[] = [];

beforeAll(async () => {
  config = testConfig();
  database = await connectDatabase(config);
});

afterAll(async () => {
  for (const db of databases) await db.dropDatabase();
  await database?.close();
});

async function freshStore(): Promise<{ store: EvidenceStore; raw: Collection<Document>; heads: Collection<Document> }> {
  const db = database.client.db(`${config.mongoDb}_${databases.length}`);
  databases.push(db);
  const store = new EvidenceStore(db);
  await store.ensureIndexes();
  return { store, raw: db.collection('evidence_events'), heads: db.collection('evidence_head') };
}

const T0 = Date.UTC(2024, 2, 1, 9, 0, 0);

function input(n: number, overrides: Partial<EvidenceInput> = {}): EvidenceInput {
  return {
    key: `key-${n}`,
    at: new Date(T0 + n * 60_000),
    actor: { id: `prn_${n % 3}`, type: n % 2 === 0 ? 'person' : 'system' },
    action: n % 2 === 0 ? 'approval.decided' : 'approval.requested',
    resource: { type: 'approval', id: `apr_${Math.ceil(n / 2)}` },
    data: { n, outcome: n % 2 === 0 ? 'approved' : null, approverIds: [`prn_${n}`] },
    ...overrides,
  };
}

/** Appends events 1..count one after another. */
async function appendMany(store: EvidenceStore, count: number): Promise<EvidenceEvent[]> {
  const events: EvidenceEvent[] = [];
  for (let n = 1; n <= count; n += 1) events.push(await store.append(input(n)));
  return events;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('EvidenceStore.append', () => {
  it('builds a chain that verifies, and reads back exactly what it returned', async () => {
    const { store, raw } = await freshStore();
    expect(await store.head()).toBeUndefined();
    expect(await store.verify()).toMatchObject({ ok: true, checked: 0 });

    const events = await appendMany(store, 6);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[0].prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < events.length; i += 1) expect(events[i].prevHash).toBe(events[i - 1].hash);
    for (const event of events) expect(hashEvent(event)).toBe(event.hash);

    expect(await store.verify()).toEqual({ ok: true, checked: 6, firstSeq: 1, lastSeq: 6, headHash: events[5].hash, firstBreak: undefined });
    expect(await store.head()).toEqual(events[5]);
    expect(await store.bySeq(3)).toEqual(events[2]);
    expect(await store.byKey('key-4')).toEqual(events[3]);
    expect(await store.bySeq(99)).toBeUndefined();
    expect(await store.byKey('nope')).toBeUndefined();

    // Stored with the seq as _id, and with nothing beyond the hashed fields.
    const doc = await raw.findOne({ _id: 2 } as Document);
    expect(Object.keys(doc!).sort()).toEqual(['_id', 'action', 'actor', 'at', 'data', 'hash', 'key', 'prevHash', 'resource', 'sid']);
    expect(doc!.at).toBeInstanceOf(Date);
  });

  it('stores data as JSON would, so the hash still matches what the database gives back', async () => {
    const { store } = await freshStore();
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    const event = await store.append(input(1, { data: { when, dropped: undefined, nested: { list: [1, 'two', { three: true }] }, unicode: 'Zoë 張偉 👩‍⚖️' } }));
    expect(event.data).toEqual({ when: '2024-01-02T03:04:05.006Z', nested: { list: [1, 'two', { three: true }] }, unicode: 'Zoë 張偉 👩‍⚖️' });
    expect(await store.bySeq(1)).toEqual(event);
    expect((await store.verify()).ok).toBe(true);
  });

  it('refuses data JSON cannot hold, and writes nothing', async () => {
    const { store, raw } = await freshStore();
    await expect(store.append(input(1, { data: { score: NaN } }))).rejects.toThrow(/NaN/);
    await expect(store.append(input(2, { data: { m: new Map() as never } }))).rejects.toThrow(/Map/);
    expect(await raw.countDocuments()).toBe(0);
  });

  it('does not copy fields outside the hashed ones into the stored event', async () => {
    const { store, raw } = await freshStore();
    const withExtras = { ...input(1), actor: { id: 'prn_1', type: 'person' as const, name: 'Alice Example' }, note: 'x' };
    await store.append(withExtras);
    const doc = await raw.findOne({});
    expect(doc!.actor).toEqual({ id: 'prn_1', type: 'person' });
    expect(doc!.note).toBeUndefined();
    expect((await store.verify()).ok).toBe(true);
  });

  it('records the same key once: a second append returns the first event', async () => {
    const { store, raw } = await freshStore();
    await store.append(input(1));
    const first = await store.append(input(2));
    const again = await store.append(input(2));
    const changed = await store.append(input(2, { data: { different: true } }));
    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    expect(first.seq).toBe(2);
    expect(await raw.countDocuments()).toBe(2);
    const next = await store.append(input(3));
    expect(next.seq).toBe(3);
    expect((await store.verify()).ok).toBe(true);
  });

  it('keeps the chain linear under 50 concurrent appends with distinct keys', async () => {
    const { store, raw } = await freshStore();
    const events = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(input(i + 1))));
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.key)).size).toBe(50);
    expect(await raw.countDocuments()).toBe(50);
    const result = await store.verify();
    expect(result).toMatchObject({ ok: true, checked: 50, firstSeq: 1, lastSeq: 50 });
    expect(result.headHash).toBe((await store.head())!.hash);
    // Every returned event is the one that was stored under its seq.
    for (const event of events) expect(await store.bySeq(event.seq)).toEqual(event);
  });

  it('keeps the chain linear when several store instances (as in several workers) append at once', async () => {
    const { store } = await freshStore();
    const db = databases[databases.length - 1];
    const writers = [store, new EvidenceStore(db), new EvidenceStore(db)];
    const events = await Promise.all(Array.from({ length: 30 }, (_, i) => writers[i % 3].append(input(i + 1))));
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await store.verify()).toMatchObject({ ok: true, checked: 30 });
  });

  it('finds an event whose key claim was never written (its writer died in between) instead of appending it again', async () => {
    const { store, raw } = await freshStore();
    const db = databases[databases.length - 1];
    const first = await store.append(input(1));
    await store.append(input(2));
    await db.collection('evidence_keys').deleteOne({ _id: 'key-1' } as Document);
    await db.collection('evidence_head').updateOne({ _id: 'head' } as Document, { $set: { seq: 1, hash: first.hash } });
    const again = await new EvidenceStore(db).append(input(1));
    expect(again).toMatchObject({ seq: 1, hash: first.hash });
    expect(await raw.countDocuments()).toBe(2);
    // The lagging pointer is walked forward on the way: the next event hangs from the real head.
    expect((await store.append(input(3))).seq).toBe(3);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('records exactly one event for 20 concurrent appends with the same key', async () => {
    const { store, raw } = await freshStore();
    await store.append(input(1));
    const events = await Promise.all(Array.from({ length: 20 }, () => store.append(input(2))));
    expect(await raw.countDocuments({ key: 'key-2' })).toBe(1);
    expect(await raw.countDocuments()).toBe(2);
    for (const event of events) {
      expect(event.seq).toBe(2);
      expect(event.hash).toBe(events[0].hash);
    }
    expect(await store.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('handles retried and fresh keys racing together', async () => {
    const { store, raw } = await freshStore();
    const keys = Array.from({ length: 40 }, (_, i) => (i % 4) + 1 + Math.floor(i / 8) * 4); // each key several times
    const events = await Promise.all(keys.map((n) => store.append(input(n))));
    const distinct = new Set(keys).size;
    expect(await raw.countDocuments()).toBe(distinct);
    const byKey = new Map<string, EvidenceEvent>();
    for (const event of events) {
      const seen = byKey.get(event.key);
      if (seen) expect(event).toEqual(seen);
      else byKey.set(event.key, event);
    }
    expect(await store.verify()).toMatchObject({ ok: true, checked: distinct });
  });

  it('creates its unique key index itself if start-up did not', async () => {
    const db = database.client.db(`${config.mongoDb}_${databases.length}`);
    databases.push(db);
    const store = new EvidenceStore(db); // no ensureIndexes()
    const events = await Promise.all(Array.from({ length: 10 }, () => store.append(input(1))));
    expect(await db.collection('evidence_events').countDocuments()).toBe(1);
    expect(new Set(events.map((e) => e.hash)).size).toBe(1);
    const indexes = await db.collection('evidence_events').indexes();
    expect(indexes.some((index) => index.name === 'key_unique' && index.unique === true)).toBe(true);
  });
});

describe('EvidenceStore.verify against tampering in the database', () => {
  it('reports a hash mismatch at an event whose data was edited', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 8);
    await raw.updateOne({ _id: 5 } as Document, { $set: { 'data.outcome': 'rejected' } });
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'hash-mismatch' });
    expect(result.lastSeq).toBe(4);
  });

  it.each([
    ['actor', { 'actor.id': 'prn_mallory' }],
    ['action', { action: 'approval.cancelled' }],
    ['time', { at: new Date(T0) }],
    ['resource', { 'resource.id': 'apr_other' }],
    ['key', { key: 'other-key' }],
  ])('reports a hash mismatch at an event whose %s was edited', async (_what, change) => {
    const { store, raw } = await freshStore();
    await appendMany(store, 5);
    await raw.updateOne({ _id: 3 } as Document, { $set: change });
    expect((await store.verify()).firstBreak).toMatchObject({ seq: 3, reason: 'hash-mismatch' });
  });

  it('reports a hash mismatch, not an exception, for an event with a field removed', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 4);
    await raw.updateOne({ _id: 2 } as Document, { $unset: { actor: '' } });
    expect((await store.verify()).firstBreak).toMatchObject({ seq: 2, reason: 'hash-mismatch' });
  });

  it('reports a hash mismatch, not an exception, for an event given a value JSON cannot hold', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 4);
    await raw.updateOne({ _id: 3 } as Document, { $set: { 'data.n': new ObjectId() } });
    const result = await store.verify();
    expect(result.firstBreak).toMatchObject({ seq: 3, reason: 'hash-mismatch' });
    expect(result.firstBreak!.detail).toMatch(/ObjectId/);
  });

  it('detects a forged event whose hash was recomputed, at the next event\'s link', async () => {
    const { store, raw } = await freshStore();
    const events = await appendMany(store, 6);
    const forged: EvidenceEvent = { ...events[2], data: { ...events[2].data, outcome: 'rejected' } };
    forged.hash = hashEvent(forged);
    await raw.updateOne({ _id: 3 } as Document, { $set: { data: forged.data, hash: forged.hash } });
    const result = await store.verify();
    expect(result.firstBreak).toMatchObject({ seq: 4, reason: 'prev-hash-mismatch' });
    expect(result.lastSeq).toBe(3);
  });

  it('reports a sequence gap at the seq of a deleted middle event', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 7);
    await raw.deleteOne({ _id: 4 } as Document);
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 4, reason: 'sequence-gap' });
    expect(result.lastSeq).toBe(3);
  });

  it('detects two events whose contents were swapped while their _ids stayed in place', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 6);
    const [third, fourth] = [await raw.findOne({ _id: 3 } as Document), await raw.findOne({ _id: 4 } as Document)];
    // The unique key index forbids two documents with one key even for a moment, so remove both, then re-insert
    // each one's content under the other's _id.
    await raw.deleteMany({ _id: { $in: [3, 4] } } as Document);
    await raw.insertMany([
      { ...fourth, _id: 3 },
      { ...third, _id: 4 },
    ] as Document[]);
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 3, reason: 'prev-hash-mismatch' });
  });

  it('detects a reorder where the swapped events\' hashes were recomputed to fit their new places', async () => {
    const { store, raw } = await freshStore();
    const events = await appendMany(store, 6);
    // Event 4's content recorded as seq 3 and vice versa, each re-linked and re-hashed: the forger cannot fix event 5.
    const asThird: EvidenceEvent = { ...events[3], seq: 3, prevHash: events[1].hash };
    asThird.hash = hashEvent(asThird);
    const asFourth: EvidenceEvent = { ...events[2], seq: 4, prevHash: asThird.hash };
    asFourth.hash = hashEvent(asFourth);
    await raw.deleteMany({ _id: { $in: [3, 4] } } as Document);
    const stored = ({ seq, ...rest }: EvidenceEvent) => ({ _id: seq, ...rest });
    await raw.insertMany([stored(asThird), stored(asFourth)] as Document[]);
    const result = await store.verify();
    expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'prev-hash-mismatch' });
  });

  it('detects a deleted tail only through an anchor noted earlier', async () => {
    const { store, raw } = await freshStore();
    const events = await appendMany(store, 6);
    const anchor = { seq: events[5].seq, hash: events[5].hash };
    expect(await store.verify({ anchor })).toMatchObject({ ok: true, checked: 6 });

    await raw.deleteMany({ _id: { $gte: 5 } } as Document);
    // What is left is a valid chain on its own...
    expect(await store.verify()).toMatchObject({ ok: true, checked: 4, lastSeq: 4 });
    // ...but not the chain the auditor saw.
    const result = await store.verify({ anchor });
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 6, reason: 'anchor-mismatch' });
    expect(result.firstBreak!.detail).toMatch(/missing/);
  });

  it('shows a deleted tail as a gap as soon as the next event is appended', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 5);
    await raw.deleteOne({ _id: 5 } as Document);
    // Appends hang from the head pointer, which still names the deleted event.
    expect((await store.append(input(50))).seq).toBe(6);
    expect((await store.verify()).firstBreak).toMatchObject({ seq: 5, reason: 'sequence-gap' });
  });

  it('detects a tail that was deleted and rewritten, through the anchor\'s hash', async () => {
    const { store, raw, heads } = await freshStore();
    const events = await appendMany(store, 5);
    const anchor = { seq: 5, hash: events[4].hash };
    await raw.deleteOne({ _id: 5 } as Document);
    // A careful forger also winds the head pointer back, so the rewritten event takes the deleted one's place.
    await heads.updateOne({ _id: 'head' } as Document, { $set: { seq: 4, hash: events[3].hash } });
    const replacement = await store.append(input(50));
    expect(replacement.seq).toBe(5);
    expect((await store.verify()).ok).toBe(true);
    expect((await store.verify({ anchor })).firstBreak).toMatchObject({ seq: 5, reason: 'anchor-mismatch' });
  });
});

describe('EvidenceStore.verify ranges', () => {
  it('verifies from a middle event to another, hanging from the event before the range', async () => {
    const { store } = await freshStore();
    const events = await appendMany(store, 10);
    expect(await store.verify({ fromSeq: 4, toSeq: 7 })).toEqual({ ok: true, checked: 4, firstSeq: 4, lastSeq: 7, headHash: events[6].hash, firstBreak: undefined });
    expect(await store.verify({ fromSeq: 8 })).toMatchObject({ ok: true, checked: 3, firstSeq: 8, lastSeq: 10 });
    expect(await store.verify({ toSeq: 2 })).toMatchObject({ ok: true, checked: 2, firstSeq: 1, lastSeq: 2 });
    expect(await store.verify({ fromSeq: 1, toSeq: 1 })).toMatchObject({ ok: true, checked: 1 });
  });

  it('reports tampering inside the range and not outside it', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 10);
    await raw.updateOne({ _id: 8 } as Document, { $set: { action: 'edited' } });
    expect((await store.verify({ fromSeq: 2, toSeq: 6 })).ok).toBe(true);
    expect((await store.verify({ fromSeq: 6, toSeq: 9 })).firstBreak).toMatchObject({ seq: 8, reason: 'hash-mismatch' });
  });

  it('detects an edit to the event the range hangs from, at the range\'s first link', async () => {
    const { store, raw } = await freshStore();
    const events = await appendMany(store, 6);
    const forged: EvidenceEvent = { ...events[2], action: 'edited' };
    forged.hash = hashEvent(forged);
    await raw.updateOne({ _id: 3 } as Document, { $set: { action: forged.action, hash: forged.hash } });
    expect((await store.verify({ fromSeq: 4 })).firstBreak).toMatchObject({ seq: 4, reason: 'prev-hash-mismatch' });
  });

  it('reports a missing event the range hangs from', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 6);
    await raw.deleteOne({ _id: 3 } as Document);
    expect(await store.verify({ fromSeq: 4 })).toMatchObject({ ok: false, checked: 0, firstBreak: { seq: 3, reason: 'sequence-gap' } });
  });

  it('reports a missing first event of the range', async () => {
    const { store, raw } = await freshStore();
    await appendMany(store, 6);
    await raw.deleteOne({ _id: 4 } as Document);
    expect((await store.verify({ fromSeq: 4, toSeq: 6 })).firstBreak).toMatchObject({ seq: 4, reason: 'sequence-gap' });
  });
});

describe('EvidenceStore.find', () => {
  let store: EvidenceStore;
  let events: EvidenceEvent[];

  beforeAll(async () => {
    ({ store } = await freshStore());
    events = [];
    const specs: Partial<EvidenceInput>[] = [
      { resource: { type: 'approval', id: 'apr_a' }, action: 'approval.requested' },
      { resource: { type: 'approval', id: 'apr_a' }, action: 'approval.decided' },
      { resource: { type: 'approval', id: 'apr_b' }, action: 'approval.requested' },
      { resource: { type: 'policy', id: 'pol_a' }, action: 'policy.published' },
      { resource: { type: 'approval', id: 'apr_b' }, action: 'approval.decided' },
      { resource: { type: 'policy', id: 'apr_a' }, action: 'policy.published' },
      { resource: { type: 'approval', id: 'apr_c' }, action: 'approval.requested' },
    ];
    for (const [i, spec] of specs.entries()) events.push(await store.append(input(i + 1, spec)));
  });

  const seqs = async (query: Parameters<EvidenceStore['find']>[0]) => (await collect(store.find(query))).map((e) => e.seq);

  it('returns every event in seq order without filters', async () => {
    const all = await collect(store.find({}));
    expect(all).toEqual(events);
  });

  it('filters by resource type and id', async () => {
    expect(await seqs({ resourceType: 'approval' })).toEqual([1, 2, 3, 5, 7]);
    expect(await seqs({ resourceType: 'policy' })).toEqual([4, 6]);
    expect(await seqs({ resourceId: 'apr_a' })).toEqual([1, 2, 6]);
    expect(await seqs({ resourceType: 'approval', resourceId: 'apr_a' })).toEqual([1, 2]);
    expect(await seqs({ resourceType: 'nothing' })).toEqual([]);
  });

  it('filters by action', async () => {
    expect(await seqs({ action: 'approval.requested' })).toEqual([1, 3, 7]);
    expect(await seqs({ action: 'approval.decided', resourceId: 'apr_b' })).toEqual([5]);
  });

  it('filters by time range, from inclusive and to exclusive', async () => {
    const at = (n: number) => new Date(T0 + n * 60_000);
    expect(await seqs({ from: at(3) })).toEqual([3, 4, 5, 6, 7]);
    expect(await seqs({ to: at(3) })).toEqual([1, 2]);
    expect(await seqs({ from: at(2), to: at(5) })).toEqual([2, 3, 4]);
    expect(await seqs({ from: new Date(at(2).getTime() + 1), to: at(5) })).toEqual([3, 4]);
    expect(await seqs({ from: at(100) })).toEqual([]);
  });

  it('pages with afterSeq and limit', async () => {
    expect(await seqs({ limit: 3 })).toEqual([1, 2, 3]);
    expect(await seqs({ afterSeq: 3, limit: 3 })).toEqual([4, 5, 6]);
    expect(await seqs({ afterSeq: 6, limit: 3 })).toEqual([7]);
    expect(await seqs({ afterSeq: 7 })).toEqual([]);
    expect(await seqs({ afterSeq: 0 })).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await seqs({ resourceType: 'approval', afterSeq: 2, limit: 2 })).toEqual([3, 5]);
  });

  it('returns nothing for a limit of zero rather than everything', async () => {
    expect(await seqs({ limit: 0 })).toEqual([]);
  });

  it('combines every filter', async () => {
    const at = (n: number) => new Date(T0 + n * 60_000);
    expect(await seqs({ resourceType: 'approval', action: 'approval.requested', from: at(2), to: at(8), afterSeq: 2, limit: 5 })).toEqual([3, 7]);
  });
});
