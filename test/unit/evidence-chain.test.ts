import { ChainVerifier, GENESIS_HASH, chainEvent, hashEvent, type EvidenceEvent, type EvidenceInput } from '../../domain/evidence';

function input(n: number, overrides: Partial<EvidenceInput> = {}): EvidenceInput {
  return {
    key: `event-${n}`,
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, n)),
    actor: { id: `prn_${n % 3}`, type: n % 2 === 0 ? 'person' : 'system' },
    action: n % 2 === 0 ? 'approval.decided' : 'approval.requested',
    resource: { type: 'approval', id: `apr_${Math.ceil(n / 2)}` },
    data: { n, outcome: n % 2 === 0 ? 'approved' : null, tags: ['a', 'b'] },
    ...overrides,
  };
}

function buildChain(length: number): EvidenceEvent[] {
  const events: EvidenceEvent[] = [];
  for (let n = 1; n <= length; n += 1) events.push(chainEvent(input(n), events[events.length - 1]));
  return events;
}

function verify(events: EvidenceEvent[], start?: { seq: number; hash: string }) {
  const verifier = new ChainVerifier(start);
  for (const event of events) if (!verifier.add(event)) break;
  return verifier;
}

/** A deep copy to tamper with (built by hand: structuredClone would make Dates of another realm under jest). */
const clone = (events: EvidenceEvent[]): EvidenceEvent[] =>
  events.map((e) => ({ ...e, at: new Date(e.at.getTime()), actor: { ...e.actor }, resource: { ...e.resource }, data: JSON.parse(JSON.stringify(e.data)) }));

describe('chainEvent and hashEvent', () => {
  it('starts at seq 1 from the genesis hash and links each event to the one before', () => {
    const chain = buildChain(4);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
    for (let i = 1; i < chain.length; i += 1) expect(chain[i].prevHash).toBe(chain[i - 1].hash);
    for (const event of chain) {
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(event.hash).toBe(hashEvent(event));
    }
    expect(new Set(chain.map((e) => e.hash)).size).toBe(4);
  });

  it('is deterministic: the same input after the same event gives the same hash', () => {
    const previous = { seq: 7, hash: 'a'.repeat(64) };
    const one = chainEvent(input(8), previous);
    const two = chainEvent(input(8), previous);
    expect(one).toEqual(two);
    expect(one.seq).toBe(8);
    expect(one.prevHash).toBe('a'.repeat(64));
  });

  it('does not depend on the order fields were built in', () => {
    const a = input(2, { data: { x: 1, y: { p: 'q', r: [1] } } });
    const b: EvidenceInput = {
      data: { y: { r: [1], p: 'q' }, x: 1 },
      resource: { id: a.resource.id, type: a.resource.type },
      action: a.action,
      actor: { type: a.actor.type, id: a.actor.id },
      at: new Date(a.at.getTime()),
      key: a.key,
    };
    expect(chainEvent(b, undefined).hash).toBe(chainEvent(a, undefined).hash);
  });

  it('covers every field: changing any one changes the hash', () => {
    const base = chainEvent(input(1), undefined);
    const variants: Omit<EvidenceEvent, 'hash'>[] = [
      { ...base, seq: 2 },
      { ...base, key: 'other' },
      { ...base, at: new Date(base.at.getTime() + 1) },
      { ...base, actor: { ...base.actor, id: 'prn_x' } },
      { ...base, actor: { ...base.actor, type: 'person' } },
      { ...base, action: 'approval.cancelled' },
      { ...base, resource: { ...base.resource, type: 'policy' } },
      { ...base, resource: { ...base.resource, id: 'apr_x' } },
      { ...base, data: { ...base.data, n: 2 } },
      { ...base, data: { ...base.data, extra: true } },
      { ...base, prevHash: '1'.repeat(64) },
    ];
    const hashes = variants.map((v) => hashEvent(v));
    for (const hash of hashes) expect(hash).not.toBe(base.hash);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('copies only the hashed fields into the event', () => {
    const withExtras = { ...input(1), actor: { id: 'prn_1', type: 'person' as const, name: 'Alice Example' }, stray: 'x' };
    const event = chainEvent(withExtras, undefined);
    expect(Object.keys(event).sort()).toEqual(['action', 'actor', 'at', 'data', 'hash', 'key', 'prevHash', 'resource', 'seq']);
    expect(event.actor).toEqual({ id: 'prn_1', type: 'person' });
    expect(JSON.stringify(event)).not.toContain('Alice');
  });

  it('skips undefined data members, as a JSON round trip through the database would', () => {
    const a = chainEvent(input(1, { data: { a: 1, gone: undefined } }), undefined);
    const b = chainEvent(input(1, { data: { a: 1 } }), undefined);
    expect(a.hash).toBe(b.hash);
  });
});

describe('ChainVerifier', () => {
  it('accepts an intact chain and reports its extent', () => {
    const chain = buildChain(10);
    expect(verify(chain).result()).toEqual({ ok: true, checked: 10, firstSeq: 1, lastSeq: 10, headHash: chain[9].hash, firstBreak: undefined });
  });

  it('accepts an empty chain', () => {
    expect(verify([]).result()).toMatchObject({ ok: true, checked: 0 });
  });

  it.each([
    ['data', (e: EvidenceEvent) => void (e.data.outcome = 'rejected')],
    ['a nested data value', (e: EvidenceEvent) => void ((e.data.tags as string[])[1] = 'c')],
    ['actor id', (e: EvidenceEvent) => void (e.actor.id = 'prn_mallory')],
    ['actor type', (e: EvidenceEvent) => void (e.actor.type = e.actor.type === 'person' ? 'system' : 'person')],
    ['action', (e: EvidenceEvent) => void (e.action = 'approval.cancelled')],
    ['at', (e: EvidenceEvent) => void (e.at = new Date(e.at.getTime() - 60_000))],
    ['key', (e: EvidenceEvent) => void (e.key = 'forged')],
    ['resource id', (e: EvidenceEvent) => void (e.resource.id = 'apr_other')],
  ])('reports a hash mismatch at the event whose %s was edited', (_field, edit) => {
    const chain = clone(buildChain(8));
    edit(chain[4]);
    const result = verify(chain).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'hash-mismatch' });
    expect(result.lastSeq).toBe(4);
    expect(result.checked).toBe(5);
  });

  it('reports a hash mismatch when the stored hash itself is edited', () => {
    const chain = clone(buildChain(5));
    chain[2].hash = 'f'.repeat(64);
    expect(verify(chain).result().firstBreak).toMatchObject({ seq: 3, reason: 'hash-mismatch' });
  });

  it('reports a hash mismatch, not an exception, for an event edited into something unhashable', () => {
    const missingActor = clone(buildChain(3));
    delete (missingActor[1] as Partial<EvidenceEvent>).actor;
    expect(verify(missingActor).result().firstBreak).toMatchObject({ seq: 2, reason: 'hash-mismatch' });

    const nan = clone(buildChain(3));
    nan[1].data.n = NaN;
    expect(verify(nan).result().firstBreak).toMatchObject({ seq: 2, reason: 'hash-mismatch' });
  });

  it('reports a sequence gap at the seq of a deleted middle event', () => {
    const chain = buildChain(6);
    const result = verify([...chain.slice(0, 3), ...chain.slice(4)]).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 4, reason: 'sequence-gap' });
    expect(result.firstBreak!.detail).toMatch(/expected event 4, found 5/);
    expect(result.lastSeq).toBe(3);
  });

  it('reports a sequence gap when the first event is deleted', () => {
    const chain = buildChain(3);
    expect(verify(chain.slice(1)).result().firstBreak).toMatchObject({ seq: 1, reason: 'sequence-gap' });
  });

  it('detects two events swapped in order', () => {
    const chain = buildChain(6);
    const swapped = [chain[0], chain[1], chain[3], chain[2], chain[4], chain[5]];
    const result = verify(swapped).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 3, reason: 'sequence-gap' });
  });

  it('detects two events whose contents were swapped while their seq numbers stayed in place', () => {
    const chain = clone(buildChain(6));
    const [third, fourth] = [chain[2], chain[3]];
    chain[2] = { ...fourth, seq: 3 };
    chain[3] = { ...third, seq: 4 };
    const result = verify(chain).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 3, reason: 'prev-hash-mismatch' });
  });

  it('detects a forged event whose hash the attacker recomputed, at the next event\'s link', () => {
    const chain = clone(buildChain(6));
    const forged = { ...chain[2], data: { ...chain[2].data, outcome: 'rejected' } };
    forged.hash = hashEvent(forged);
    chain[2] = forged;
    const result = verify(chain).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 4, reason: 'prev-hash-mismatch' });
    expect(result.lastSeq).toBe(3);
  });

  it('detects an event inserted into the middle of the chain, even one that is itself well-formed', () => {
    const chain = buildChain(4);
    const inserted = chainEvent(input(99), chain[1]); // seq 3, linked to event 2, hash valid
    const result = verify([chain[0], chain[1], inserted, chain[2], chain[3]]).result();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 4, reason: 'sequence-gap' });
  });

  it('stops at the first break and ignores later events', () => {
    const chain = clone(buildChain(6));
    chain[1].action = 'edited';
    chain[4].action = 'edited too';
    const verifier = new ChainVerifier();
    expect(verifier.add(chain[0])).toBe(true);
    expect(verifier.add(chain[1])).toBe(false);
    expect(verifier.add(chain[2])).toBe(false);
    expect(verifier.result()).toMatchObject({ ok: false, checked: 2, firstBreak: { seq: 2, reason: 'hash-mismatch' } });
  });

  describe('ranges', () => {
    it('verifies a range that starts from a middle event, hanging from the event before it', () => {
      const chain = buildChain(10);
      const result = verify(chain.slice(4, 8), { seq: chain[3].seq, hash: chain[3].hash }).result();
      expect(result).toMatchObject({ ok: true, checked: 4, firstSeq: 5, lastSeq: 8, headHash: chain[7].hash });
    });

    it('refuses a range hung from the wrong hash', () => {
      const chain = buildChain(10);
      const result = verify(chain.slice(4), { seq: 4, hash: chain[2].hash }).result();
      expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'prev-hash-mismatch' });
    });

    it('refuses a range whose first event is not the one after the start', () => {
      const chain = buildChain(10);
      const result = verify(chain.slice(5), { seq: chain[3].seq, hash: chain[3].hash }).result();
      expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'sequence-gap' });
    });
  });

  describe('anchors', () => {
    it('accepts an anchor that is still in the chain with the same hash', () => {
      const chain = buildChain(5);
      const verifier = verify(chain);
      verifier.checkAnchor({ seq: 5, hash: chain[4].hash }, chain[4]);
      expect(verifier.result().ok).toBe(true);
    });

    it('reports a missing anchor event (a truncated tail)', () => {
      const chain = buildChain(5);
      const anchor = { seq: 5, hash: chain[4].hash };
      const verifier = verify(chain.slice(0, 3)); // events 4 and 5 deleted: what is left is a valid chain
      expect(verifier.result().ok).toBe(true);
      verifier.checkAnchor(anchor, undefined);
      const result = verifier.result();
      expect(result.ok).toBe(false);
      expect(result.firstBreak).toMatchObject({ seq: 5, reason: 'anchor-mismatch' });
      expect(result.firstBreak!.detail).toMatch(/missing/);
    });

    it('reports an anchor event whose hash changed (tail rewritten)', () => {
      const chain = buildChain(5);
      const anchor = { seq: 5, hash: chain[4].hash };
      const rewritten = [...chain.slice(0, 4), chainEvent(input(50), chain[3])];
      const verifier = verify(rewritten);
      expect(verifier.result().ok).toBe(true);
      verifier.checkAnchor(anchor, rewritten[4]);
      expect(verifier.result().firstBreak).toMatchObject({ seq: 5, reason: 'anchor-mismatch' });
    });

    it('keeps the first break when the chain was already broken', () => {
      const chain = clone(buildChain(5));
      chain[1].action = 'edited';
      const verifier = verify(chain);
      verifier.checkAnchor({ seq: 5, hash: 'x' }, undefined);
      expect(verifier.result().firstBreak).toMatchObject({ seq: 2, reason: 'hash-mismatch' });
    });
  });
});
