import { prefetchBatches, resumeInStorageOrder, type StoragePosition } from '../../activities/audit-scan';

/** A collection in storage order; `open(skip)` behaves like a cursor without sort, and records whether it was closed. */
function collection(ids: string[]) {
  const opened: { skip: number; closed: boolean }[] = [];
  const open = (skip: number): AsyncIterable<{ _id: string }> => ({
    [Symbol.asyncIterator]() {
      const cursor = { skip, closed: false };
      opened.push(cursor);
      let index = skip;
      return {
        next: async () => (index < ids.length ? { done: false, value: { _id: ids[index++] } } : { done: true, value: undefined }),
        return: async () => {
          cursor.closed = true;
          return { done: true, value: undefined };
        },
      };
    },
  });
  return { open, opened };
}

async function resume(ids: string[], from: StoragePosition | undefined) {
  const { open, opened } = collection(ids);
  let at = -1;
  const read: string[] = [];
  for await (const doc of resumeInStorageOrder(open, from, (position) => (at = position))) read.push(doc._id);
  return { at, read, opened };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);

describe('resuming a scan in storage order', () => {
  it('starts at the beginning without a position', async () => {
    const { at, read, opened } = await resume(ids(5), undefined);
    expect(at).toBe(0);
    expect(read).toEqual(ids(5));
    expect(opened.map((c) => c.skip)).toEqual([0]);
  });

  it('continues right after the last inspected document when nothing moved, with one skipping cursor', async () => {
    const { at, read, opened } = await resume(ids(6), { position: 3, lastId: 's3' });
    expect(at).toBe(3);
    expect(read).toEqual(['s4', 's5', 's6']);
    expect(opened.map((c) => c.skip)).toEqual([2]);
  });

  it('ends at once when the last inspected document was the last one', async () => {
    const { at, read } = await resume(ids(4), { position: 4, lastId: 's4' });
    expect(at).toBe(4);
    expect(read).toEqual([]);
  });

  it('finds the last inspected document from the start when records before it were deleted, and closes the skipping cursor', async () => {
    const remaining = ids(8).filter((id) => id !== 's1' && id !== 's2');
    const { at, read, opened } = await resume(remaining, { position: 5, lastId: 's5' });
    expect(read).toEqual(['s6', 's7', 's8']);
    expect(at).toBe(3);
    expect(opened.map((c) => c.skip)).toEqual([4, 0]);
    expect(opened[0].closed).toBe(true);
  });

  it('starts over when the last inspected document itself is gone (nothing is missed)', async () => {
    const remaining = ids(6).filter((id) => id !== 's3');
    const { at, read } = await resume(remaining, { position: 3, lastId: 's3' });
    expect(at).toBe(0);
    expect(read).toEqual(remaining);
  });

  it('starts over when the collection shrank below the position', async () => {
    const { at, read } = await resume(['s9'], { position: 3, lastId: 's3' });
    expect(at).toBe(0);
    expect(read).toEqual(['s9']);
  });

  it('closes the cursor it continues on when the consumer stops early', async () => {
    const { open, opened } = collection(ids(10));
    for await (const doc of resumeInStorageOrder(open, { position: 2, lastId: 's2' }, () => undefined)) if (doc._id === 's4') break;
    expect(opened).toHaveLength(1);
    expect(opened[0].closed).toBe(true);
  });
});

describe('prefetching batches', () => {
  it('yields every document once, in order, in batches of the size asked', async () => {
    const { open } = collection(ids(7));
    const batches: string[][] = [];
    for await (const batch of prefetchBatches(open(0), 3)) batches.push(batch.map((d) => d._id));
    expect(batches).toEqual([['s1', 's2', 's3'], ['s4', 's5', 's6'], ['s7']]);
  });
});
