import type { Db } from 'mongodb';
import { AccessReviewStore } from '../../store/access-reviews';
import { scratchDatabase } from '../harness/stack';

/**
 * Version claims against a real FerretDB, through the access-review open count (a counter every closing decision
 * lowers, from the API and the worker at once): no decrement is lost, and a claim whose writer stopped before
 * writing does not block the count.
 */
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: Db;
let store: AccessReviewStore;

beforeAll(async () => {
  scratch = await scratchDatabase('version_claims');
  db = scratch.db;
  store = new AccessReviewStore(db);
});

afterAll(() => scratch?.close());

describe('version claims', () => {
  it('twenty concurrent decrements of one count: each lands once, none is lost', async () => {
    await store.initOpenCount('rev_race', 20);
    const after = await Promise.all(Array.from({ length: 20 }, () => store.decrementOpen('rev_race')));
    expect([...after].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await db.collection('access_review_counts').findOne({ _id: 'rev_race' as never })).toMatchObject({ open: 0, version: 20 });
  });

  it('a claim whose writer stopped before writing is written by the next writer, who then goes on', async () => {
    await store.initOpenCount('rev_stopped', 5);
    // A writer claimed version 1 (open 4) and died before writing it.
    await db.collection('access_review_counts_versions').insertOne({ _id: 'rev_stopped#1' as never, write: { open: 4, version: 1 }, at: new Date() });

    expect(await store.decrementOpen('rev_stopped')).toBe(3);
    expect(await db.collection('access_review_counts').findOne({ _id: 'rev_stopped' as never })).toMatchObject({ open: 3, version: 2 });
  });
});
