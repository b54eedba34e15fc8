import type { Collection, Document } from 'mongodb';
import { GENESIS_HASH, hashEvent, type EvidenceEvent } from '../../domain/evidence';
import { startTestApi, type TestApi } from '../harness/app';

/**
 * The evidence API as an auditor uses it, over the real database: list with filters and paging, head, verify, and
 * the JSON Lines export, whose hashes anyone can recompute. Then someone with database access tampers with the raw
 * `evidence_events` collection (its `_id` is the sequence number) and verification must say where.
 */

interface EventView {
  seq: number;
  key: string;
  at: string;
  actor: { id: string; type: string };
  action: string;
  resource: { type: string; id: string };
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface Verification {
  ok: boolean;
  checked: number;
  firstSeq?: number;
  lastSeq?: number;
  headHash?: string;
  firstBreak?: { seq: number; reason: string; detail: string };
}

/** A raw stored event: `_id` is the sequence number. */
type RawEvent = Document & { _id: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hash of an event as the API shows it, recomputed with the domain's own rule. */
const rehash = (e: EventView) => hashEvent({ ...e, at: new Date(e.at), actor: e.actor as EvidenceEvent['actor'], data: e.data as EvidenceEvent['data'] });

describe('evidence API', () => {
  let api: TestApi;
  let raw: Collection<RawEvent>;
  let admin: { token: string; principalId: string };
  let auditor: string;
  const ids = {} as { p1: string; p2: string; p3: string; endpoint: string; p1Key: string };
  let tMid: Date;

  const get = (url: string, token = auditor) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const adminCall = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await api.app.inject({ method, url, headers: { authorization: `Bearer ${admin.token}` }, ...(payload && { payload }) });
    expect(res.statusCode).toBeLessThan(300);
    return res.json();
  };
  const list = async (query = '') => {
    const res = await get(`/evidence${query ? `?${query}` : ''}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { items: EventView[]; next?: number };
  };
  const seqs = async (query: string) => (await list(query)).items.map((e) => e.seq);
  const verify = async (query = '') => {
    const res = await get(`/evidence/verify${query ? `?${query}` : ''}`);
    expect(res.statusCode).toBe(200);
    return res.json() as Verification;
  };
  const exportLines = async (query = '') => {
    const res = await get(`/evidence/export${query ? `?${query}` : ''}`);
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\n');
    expect(lines.pop()).toBe('');
    return { res, events: lines.map((line) => JSON.parse(line) as EventView) };
  };

  beforeAll(async () => {
    api = await startTestApi();
    raw = api.database.db.collection<RawEvent>('evidence_events');
    admin = await api.tokenFor('admin');
    auditor = (await api.tokenFor('auditor')).token;
    // Eight changes through the API, each one evidence event (principals made by tokenFor are not recorded).
    ids.p1 = (await adminCall('POST', '/principals', { kind: 'person', name: 'Evidence Person', roles: ['staff'] })).id; // 1
    ids.p2 = (await adminCall('POST', '/principals', { kind: 'system', name: 'Evidence CRM', roles: ['system'] })).id; // 2
    ids.p1Key = (await adminCall('POST', `/principals/${ids.p1}/api-keys`, { label: 'laptop' })).keyId; // 3
    await sleep(30);
    tMid = new Date();
    await sleep(30);
    ids.endpoint = (await adminCall('POST', '/webhook-endpoints', { url: 'https://hooks.example.org/complyflow', events: ['approval.requested'] })).id; // 4
    await adminCall('POST', `/principals/${ids.p2}/api-keys`, { label: 'sync' }); // 5
    await adminCall('PATCH', `/principals/${ids.p2}`, { roles: ['system', 'auditor'] }); // 6
    await adminCall('DELETE', `/api-keys/${ids.p1Key}`); // 7
    ids.p3 = (await adminCall('POST', '/principals', { kind: 'person', name: 'Evidence Third', roles: ['auditor'] })).id; // 8
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('reading', () => {
    it('lists every event in chain order, linked and recomputable', async () => {
      const { items, next } = await list();
      expect(next).toBeUndefined();
      expect(items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(items.map((e) => e.action)).toEqual([
        'principal.created',
        'principal.created',
        'api-key.created',
        'webhook-endpoint.created',
        'api-key.created',
        'principal.updated',
        'api-key.revoked',
        'principal.created',
      ]);
      expect(items.every((e) => e.actor.id === admin.principalId && e.actor.type === 'person')).toBe(true);
      expect(items[0].prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < items.length; i += 1) expect(items[i].prevHash).toBe(items[i - 1].hash);
      for (const event of items) expect(rehash(event)).toBe(event.hash);
      expect(items[5].data).toMatchObject({ rolesBefore: ['system'], rolesAfter: ['system', 'auditor'] });
    });

    it('filters by resource type, resource id, action and time', async () => {
      expect(await seqs('resourceType=webhook-endpoint')).toEqual([4]);
      expect(await seqs(`resourceId=${ids.p1}`)).toEqual([1, 3, 7]);
      expect(await seqs(`resourceId=${ids.p2}`)).toEqual([2, 5, 6]);
      expect(await seqs(`resourceType=principal&resourceId=${ids.endpoint}`)).toEqual([]);
      expect(await seqs('action=api-key.created')).toEqual([3, 5]);
      expect(await seqs('resourceType=principal&action=principal.created')).toEqual([1, 2, 8]);
      expect(await seqs(`to=${tMid.toISOString()}`)).toEqual([1, 2, 3]);
      expect(await seqs(`from=${tMid.toISOString()}`)).toEqual([4, 5, 6, 7, 8]);
      expect(await seqs(`from=${tMid.toISOString()}&action=api-key.created`)).toEqual([5]);
      const all = (await list()).items;
      // `from` is inclusive and `to` exclusive, to the millisecond.
      expect(await seqs(`from=${all[4].at}&to=${all[6].at}`)).toEqual(all.filter((e) => e.at >= all[4].at && e.at < all[6].at).map((e) => e.seq));
      const bad = await get('/evidence?action=DROP%20TABLE');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'querystring.action' })]);
    });

    it('pages with afterSeq and `next`', async () => {
      const first = await list('limit=3');
      expect(first.items.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(first.next).toBe(3);
      const second = await list(`limit=3&afterSeq=${first.next}`);
      expect(second.items.map((e) => e.seq)).toEqual([4, 5, 6]);
      expect(second.next).toBe(6);
      const third = await list(`limit=3&afterSeq=${second.next}`);
      expect(third.items.map((e) => e.seq)).toEqual([7, 8]);
      expect(third.next).toBeUndefined();
      // Paging works with a filter too.
      const filtered = await list('action=principal.created&limit=2');
      expect(filtered.items.map((e) => e.seq)).toEqual([1, 2]);
      expect(await seqs(`action=principal.created&limit=2&afterSeq=${filtered.next}`)).toEqual([8]);
    });

    it('reports the head, and verifies the whole chain, a range and an anchor', async () => {
      const items = (await list()).items;
      const head = (await get('/evidence/head')).json();
      expect(head).toEqual({ seq: 8, hash: items[7].hash });
      expect(await verify()).toEqual({ ok: true, checked: 8, firstSeq: 1, lastSeq: 8, headHash: items[7].hash });
      expect(await verify('fromSeq=3&toSeq=5')).toMatchObject({ ok: true, checked: 3, firstSeq: 3, lastSeq: 5, headHash: items[4].hash });
      expect(await verify(`anchorSeq=${head.seq}&anchorHash=${head.hash}`)).toMatchObject({ ok: true, checked: 8 });
      expect(await verify(`anchorSeq=4&anchorHash=${items[3].hash}`)).toMatchObject({ ok: true });
      expect(await verify(`anchorSeq=4&anchorHash=${items[4].hash}`)).toMatchObject({ ok: false, firstBreak: { seq: 4, reason: 'anchor-mismatch' } });
      const half = await get('/evidence/verify?anchorSeq=4');
      expect(half.statusCode).toBe(400);
      expect(half.json().errors).toEqual([expect.objectContaining({ field: 'querystring.anchorHash' })]);
    });

    it('exports JSON Lines whose hashes recompute, with the chain head in a header', async () => {
      const { res, events } = await exportLines();
      expect(String(res.headers['content-type'])).toMatch(/^application\/x-ndjson/);
      expect(String(res.headers['content-disposition'])).toMatch(/^attachment/);
      const items = (await list()).items;
      expect(res.headers['complyflow-chain-head']).toBe(`8:${items[7].hash}`);
      expect(events).toEqual(items);
      for (const event of events) expect(rehash(event)).toBe(event.hash);
      expect(events[0].prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < events.length; i += 1) expect(events[i].prevHash).toBe(events[i - 1].hash);

      const filtered = await exportLines('action=api-key.created');
      expect(filtered.events.map((e) => e.seq)).toEqual([3, 5]);
      expect(filtered.events.every((e) => e.action === 'api-key.created' && rehash(e) === e.hash)).toBe(true);
      // The head header names the whole chain's head, so a filtered export can still be anchored.
      expect(filtered.res.headers['complyflow-chain-head']).toBe(`8:${items[7].hash}`);
      expect((await exportLines(`resourceId=${ids.p2}&from=${tMid.toISOString()}`)).events.map((e) => e.seq)).toEqual([5, 6]);
    });
  });

  describe('tampering with the raw collection', () => {
    /** Runs `tamper` on the raw collection, then puts the original documents back and checks the chain is whole again. */
    async function tampered(seqsTouched: number[], tamper: (originals: Map<number, RawEvent>) => Promise<void>, check: () => Promise<void>) {
      const originals = new Map<number, RawEvent>();
      for (const seq of seqsTouched) {
        const doc = await raw.findOne({ _id: seq });
        expect(doc).not.toBeNull();
        originals.set(seq, doc!);
      }
      try {
        await tamper(originals);
        await check();
      } finally {
        // Delete, then insert: replacing one by one could collide on the unique `key` index mid-way.
        await raw.deleteMany({ _id: { $in: [...originals.keys()] } });
        await raw.insertMany([...originals.values()]);
      }
      expect(await verify()).toMatchObject({ ok: true, checked: 8 });
    }

    it('detects an edited data field at that seq (hash-mismatch)', async () => {
      await tampered(
        [5],
        async () => {
          const res = await raw.updateOne({ _id: 5 }, { $set: { 'data.keyId': 'forged-key-id' } });
          expect(res.modifiedCount).toBe(1);
        },
        async () => {
          const result = await verify();
          expect(result).toMatchObject({ ok: false, checked: 5, lastSeq: 4, firstBreak: { seq: 5, reason: 'hash-mismatch' } });
          // The export shows the edit, and a reader re-checking it finds the same line.
          const { events } = await exportLines();
          expect(events.filter((e) => rehash(e) !== e.hash).map((e) => e.seq)).toEqual([5]);
        },
      );
    });

    it.each([
      ['the actor', { 'actor.id': 'prn_someone_else' }],
      ['the time', { at: new Date('2020-01-01T00:00:00.000Z') }],
      ['the action', { action: 'principal.deleted' }],
      ['the resource', { 'resource.id': 'prn_other' }],
      ['a field added to data', { 'data.extra': 'sneaked in' }],
    ])('detects an edit of %s (hash-mismatch)', async (_what, set) => {
      await tampered(
        [3],
        async () => {
          await raw.updateOne({ _id: 3 }, { $set: set });
        },
        async () => {
          expect(await verify()).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'hash-mismatch' } });
        },
      );
    });

    it('detects an edit whose hash was recomputed, at the next link (prev-hash-mismatch)', async () => {
      await tampered(
        [5],
        async (originals) => {
          const doc = originals.get(5)!;
          const data = { ...doc.data, keyId: 'forged-key-id' };
          const hash = hashEvent({ seq: 5, key: doc.key, at: doc.at, actor: doc.actor, action: doc.action, resource: doc.resource, data, prevHash: doc.prevHash });
          await raw.updateOne({ _id: 5 }, { $set: { data, hash } });
        },
        async () => {
          expect(await verify()).toMatchObject({ ok: false, checked: 6, lastSeq: 5, firstBreak: { seq: 6, reason: 'prev-hash-mismatch' } });
        },
      );
    });

    it('detects a deleted middle event at its seq (sequence-gap)', async () => {
      await tampered(
        [4],
        async () => {
          expect((await raw.deleteOne({ _id: 4 })).deletedCount).toBe(1);
        },
        async () => {
          expect(await verify()).toMatchObject({ ok: false, lastSeq: 3, firstBreak: { seq: 4, reason: 'sequence-gap' } });
          expect(await seqs('')).toEqual([1, 2, 3, 5, 6, 7, 8]);
        },
      );
    });

    it('detects two events whose contents were swapped (reordered)', async () => {
      await tampered(
        [3, 6],
        async (originals) => {
          // As someone with database access would: take both out, put them back under each other's seq.
          await raw.deleteMany({ _id: { $in: [3, 6] } });
          await raw.insertMany([
            { ...originals.get(6)!, _id: 3 },
            { ...originals.get(3)!, _id: 6 },
          ]);
        },
        async () => {
          const result = await verify();
          expect(result.ok).toBe(false);
          expect(result.firstBreak?.seq).toBe(3);
          expect(result.lastSeq).toBe(2);
          expect(['prev-hash-mismatch', 'hash-mismatch']).toContain(result.firstBreak?.reason);
        },
      );
    });

    it('detects a deleted last event only against an anchor noted earlier (anchor-mismatch)', async () => {
      const head = (await get('/evidence/head')).json() as { seq: number; hash: string };
      expect(head.seq).toBe(8);
      await tampered(
        [8],
        async () => {
          expect((await raw.deleteOne({ _id: 8 })).deletedCount).toBe(1);
        },
        async () => {
          // What is left is a perfectly valid, shorter chain...
          expect(await verify()).toMatchObject({ ok: true, checked: 7, lastSeq: 7 });
          expect((await get('/evidence/head')).json().seq).toBe(7);
          // ...but not the one the auditor noted.
          expect(await verify(`anchorSeq=${head.seq}&anchorHash=${head.hash}`)).toMatchObject({ ok: false, firstBreak: { seq: 8, reason: 'anchor-mismatch' } });
        },
      );
      expect(await verify(`anchorSeq=${head.seq}&anchorHash=${head.hash}`)).toMatchObject({ ok: true, checked: 8 });
    });
  });
});
