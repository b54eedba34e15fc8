import { DUPLICATE_KEYS, DUPLICATE_RULES, DuplicateGrouper, nameMatchKey, type DuplicateKey, type GrouperCheckpoint } from '../../domain/audit/duplicates';
import type { FindingDraft } from '../../domain/audit/types';

type Pair = [value: string, id: string];

/** Pushes every pair and finishes; the findings in the order they were emitted. */
function scan(grouper: DuplicateGrouper, pairs: readonly Pair[], finish = true): FindingDraft[] {
  const findings = pairs.flatMap(([value, id]) => grouper.push(value, id) ?? []);
  const last = finish ? grouper.finish() : undefined;
  return last ? [...findings, last] : findings;
}

const idsOf = (findings: FindingDraft[]): string[][] => findings.map((f) => f.recordIds);

/** Blind indexes look like this: keyed hashes, in ascending order. */
const bi = (n: number): string => `bi:${n.toString(16).padStart(8, '0')}`;

describe('nameMatchKey', () => {
  it.each<[string, string]>([
    ['Müller, Anna', 'anna muller'],
    ['anna  MULLER', 'anna muller'],
    ['Anna-Lena Schmidt', 'anna lena schmidt'],
    ['Schmidt Anna Lena', 'anna lena schmidt'],
    ['José Álvarez', 'alvarez jose'],
    ['Zoë Ångström', 'angstrom zoe'],
    ['François Lefèvre', 'francois lefevre'],
    ['Straße', 'strasse'],
    ['GROẞMANN', 'grossmann'],
    ['Großmann', 'grossmann'],
    ['İlker Yılmaz', 'ilker yılmaz'],
    ["O'Brien, Seán", 'brien o sean'],
    ['Dr. John  Smith Jr.', 'dr john jr smith'],
    ['Ｊｏｈｎ　Ｓｍｉｔｈ', 'john smith'],
    ['ﬁona', 'fiona'],
    ['Anna\u00a0Müller', 'anna muller'],
    ['Mu\u0308ller Anna', 'anna muller'],
    ['\tanna\nmüller ', 'anna muller'],
    ['Anna 2nd', '2nd anna'],
    ['Мария Иванова', 'иванова мария'],
  ])('%j matches as %j', (name, key) => {
    expect(nameMatchKey(name)).toBe(key);
  });

  it.each<[string, string]>([
    ['Müller, Anna', 'anna  MULLER'],
    ['Anna-Lena Schmidt', 'Schmidt Anna Lena'],
    ['Anna-Lena Schmidt', 'anna lena SCHMIDT'],
    ['Großmann, Jörg', 'jorg grossmann'],
    ['山田 太郎', '太郎 山田'],
    ['Mu\u0308ller', 'M\u00fcller'],
  ])('%j and %j share a key', (a, b) => {
    expect(nameMatchKey(a)).toBe(nameMatchKey(b));
  });

  it.each<[string, string]>([
    ['Anna Müller', 'Anna Möller'],
    ['Anna Müller', 'Anna Mueller'],
    ['Anna Schmidt', 'Anna Anna Schmidt'],
    ['Anna', 'Anna 2'],
    ['AnnaLena Schmidt', 'Anna Lena Schmidt'],
  ])('%j and %j do not', (a, b) => {
    expect(nameMatchKey(a)).not.toBe(nameMatchKey(b));
  });

  it.each(['', '   ', '---', '.,;', '\u0301', '\t\n', '🙂'])('has no key for %j', (name) => {
    expect(nameMatchKey(name)).toBeUndefined();
  });

  it('is its own key: matching twice changes nothing', () => {
    for (const name of ['Müller, Anna', 'GROẞMANN Jörg', 'Ｊｏｈｎ　Ｓｍｉｔｈ', "O'Brien"]) {
      const key = nameMatchKey(name) as string;
      expect(nameMatchKey(key)).toBe(key);
    }
  });
});

describe('DuplicateGrouper', () => {
  it('groups by e-mail, phone or name', () => {
    expect(DUPLICATE_KEYS).toEqual(['email', 'phone', 'name']);
  });

  it.each<[DuplicateKey, string, string]>([
    ['email', 'duplicate-email', 'medium'],
    ['phone', 'duplicate-phone', 'medium'],
    ['name', 'near-duplicate-name', 'low'],
  ])('reports a %s group as %s (%s)', (key, rule, severity) => {
    const [finding] = scan(new DuplicateGrouper(key), [
      [bi(1), 'sub_a'],
      [bi(1), 'sub_b'],
    ]);
    expect(finding).toEqual({
      check: 'duplicates',
      rule,
      severity,
      recordType: 'subject',
      recordIds: ['sub_a', 'sub_b'],
      recommendation: DUPLICATE_RULES[key].recommendation,
      detail: { count: 2, truncated: false },
    });
  });

  it('never reports a group of one record', () => {
    expect(scan(new DuplicateGrouper('email'), [[bi(1), 'sub_a']])).toEqual([]);
    expect(
      scan(new DuplicateGrouper('email'), [
        [bi(1), 'sub_a'],
        [bi(2), 'sub_b'],
        [bi(3), 'sub_c'],
      ]),
    ).toEqual([]);
  });

  it('reports nothing for an empty stream', () => {
    expect(new DuplicateGrouper('phone').finish()).toBeUndefined();
  });

  it('reports a group when the next value arrives, not before', () => {
    const grouper = new DuplicateGrouper('email');
    expect(grouper.push(bi(1), 'sub_a')).toBeUndefined();
    expect(grouper.push(bi(2), 'sub_b')).toBeUndefined();
    expect(grouper.push(bi(2), 'sub_c')).toBeUndefined();
    expect(grouper.push(bi(2), 'sub_d')).toBeUndefined();
    expect(grouper.push(bi(3), 'sub_e')?.recordIds).toEqual(['sub_b', 'sub_c', 'sub_d']);
    expect(grouper.finish()).toBeUndefined();
  });

  it('reports the group the stream ends in, once', () => {
    const grouper = new DuplicateGrouper('email');
    expect(
      scan(
        grouper,
        [
          [bi(1), 'sub_a'],
          [bi(2), 'sub_b'],
          [bi(2), 'sub_c'],
        ],
        false,
      ),
    ).toEqual([]);
    expect(grouper.finish()).toMatchObject({ recordIds: ['sub_b', 'sub_c'], detail: { count: 2 } });
    expect(grouper.finish()).toBeUndefined();
  });

  it('reports each of several groups, in stream order', () => {
    const pairs: Pair[] = [
      [bi(1), 'sub_a'],
      [bi(1), 'sub_b'],
      [bi(2), 'sub_c'],
      [bi(3), 'sub_d'],
      [bi(3), 'sub_e'],
      [bi(3), 'sub_f'],
      [bi(4), 'sub_g'],
      [bi(5), 'sub_h'],
      [bi(5), 'sub_i'],
    ];
    expect(idsOf(scan(new DuplicateGrouper('phone'), pairs))).toEqual([
      ['sub_a', 'sub_b'],
      ['sub_d', 'sub_e', 'sub_f'],
      ['sub_h', 'sub_i'],
    ]);
  });

  it('orders values and ids by code unit, as a store sorting by binary does', () => {
    const findings = scan(new DuplicateGrouper('email'), [
      ['B', 'sub_1'],
      ['B', 'sub_10'],
      ['B', 'sub_9'],
      ['a', 'sub_2'],
      ['a', 'sub_3'],
    ]);
    expect(idsOf(findings)).toEqual([
      ['sub_1', 'sub_10', 'sub_9'],
      ['sub_2', 'sub_3'],
    ]);
  });

  describe('groups larger than maxIdsPerGroup', () => {
    const group = (n: number): Pair[] => Array.from({ length: n }, (_, i) => [bi(7), `sub_${String(i).padStart(3, '0')}`]);

    it.each<[number, number, number, boolean]>([
      [3, 2, 2, false],
      [3, 3, 3, false],
      [3, 4, 3, true],
      [3, 10, 3, true],
      [2, 3, 2, true],
    ])('with at most %d ids, a group of %d names %d ids (truncated: %s) and counts them all', (max, size, named, truncated) => {
      const [finding] = scan(new DuplicateGrouper('email', max), group(size));
      expect(finding.recordIds).toEqual(group(size).slice(0, named).map(([, id]) => id));
      expect(finding.detail).toEqual({ count: size, truncated });
    });

    it('names the first 50 ids by default', () => {
      const [finding] = scan(new DuplicateGrouper('email'), group(51));
      expect(finding.recordIds).toHaveLength(50);
      expect(finding.recordIds[49]).toBe('sub_049');
      expect(finding.detail).toEqual({ count: 51, truncated: true });
      expect(scan(new DuplicateGrouper('email'), group(50))[0].detail).toEqual({ count: 50, truncated: false });
    });

    it('keeps no more ids than it names, however large the group', () => {
      const grouper = new DuplicateGrouper('email', 5);
      scan(grouper, group(1000), false);
      expect(grouper.checkpoint().group?.ids).toHaveLength(5);
      expect(grouper.checkpoint().group?.count).toBe(1000);
    });
  });

  it.each([0, 1, 2.5, Number.NaN])('refuses maxIdsPerGroup = %d', (max) => {
    expect(() => new DuplicateGrouper('email', max)).toThrow(RangeError);
  });

  describe('ordering', () => {
    const started = (): DuplicateGrouper => {
      const grouper = new DuplicateGrouper('email');
      grouper.push(bi(2), 'sub_b');
      return grouper;
    };

    it.each<[string, Pair]>([
      ['a smaller value', [bi(1), 'sub_z']],
      ['the same value with a smaller id', [bi(2), 'sub_a']],
      ['the same pair again', [bi(2), 'sub_b']],
    ])('refuses %s, which would split a group or make a record its own duplicate', (_, [value, id]) => {
      expect(() => started().push(value, id)).toThrow(RangeError);
    });

    it('says which records were out of order, never the value', () => {
      let message = '';
      try {
        started().push(bi(1), 'sub_z');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/sub_z after sub_b/);
      expect(message).not.toContain(bi(1));
      expect(message).not.toContain(bi(2));
    });

    it('starts afresh after finish', () => {
      const grouper = started();
      grouper.finish();
      expect(
        scan(grouper, [
          [bi(1), 'sub_a'],
          [bi(1), 'sub_b'],
        ]),
      ).toHaveLength(1);
    });
  });

  it('never puts the key value into a finding', () => {
    const secret = 'hmac:5f1d3a0c9e7b';
    const findings = scan(new DuplicateGrouper('name', 2), [
      [secret, 'sub_a'],
      [secret, 'sub_b'],
      [secret, 'sub_c'],
      [`${secret}z`, 'sub_d'],
      [`${secret}z`, 'sub_e'],
    ]);
    expect(findings).toHaveLength(2);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  describe('checkpoints', () => {
    it('hold only the settings before the first record and after the end', () => {
      const grouper = new DuplicateGrouper('phone', 7);
      expect(grouper.checkpoint()).toEqual({ key: 'phone', maxIdsPerGroup: 7 });
      scan(grouper, [
        [bi(1), 'sub_a'],
        [bi(1), 'sub_b'],
      ]);
      expect(grouper.checkpoint()).toEqual({ key: 'phone', maxIdsPerGroup: 7 });
    });

    it('hold the open group, whose value and last id are where the resumed stream starts after', () => {
      const grouper = new DuplicateGrouper('email', 2);
      scan(
        grouper,
        [
          [bi(1), 'sub_a'],
          [bi(2), 'sub_b'],
          [bi(2), 'sub_c'],
          [bi(2), 'sub_d'],
        ],
        false,
      );
      expect(grouper.checkpoint()).toEqual({ key: 'email', maxIdsPerGroup: 2, group: { value: bi(2), ids: ['sub_b', 'sub_c'], count: 3, lastId: 'sub_d' } });
    });

    it('are plain JSON', () => {
      const grouper = new DuplicateGrouper('name');
      grouper.push(bi(1), 'sub_a');
      const checkpoint = grouper.checkpoint();
      expect(JSON.parse(JSON.stringify(checkpoint))).toEqual(checkpoint);
    });

    it('are snapshots: later records change neither the checkpoint nor the resumed grouper', () => {
      const grouper = new DuplicateGrouper('email');
      grouper.push(bi(1), 'sub_a');
      const checkpoint = grouper.checkpoint();
      const resumed = DuplicateGrouper.resume(checkpoint);
      grouper.push(bi(1), 'sub_b');
      resumed.push(bi(1), 'sub_c');
      expect(checkpoint.group).toEqual({ value: bi(1), ids: ['sub_a'], count: 1, lastId: 'sub_a' });
      expect(grouper.finish()?.recordIds).toEqual(['sub_a', 'sub_b']);
      expect(resumed.finish()?.recordIds).toEqual(['sub_a', 'sub_c']);
    });

    it('keep the key and the limit', () => {
      const resumed = DuplicateGrouper.resume({ key: 'name', maxIdsPerGroup: 3 });
      expect([resumed.key, resumed.maxIdsPerGroup]).toEqual(['name', 3]);
    });

    const stream: Pair[] = [
      [bi(1), 'sub_01'],
      [bi(2), 'sub_02'],
      [bi(2), 'sub_03'],
      [bi(3), 'sub_04'],
      [bi(4), 'sub_05'],
      [bi(4), 'sub_06'],
      [bi(4), 'sub_07'],
      [bi(4), 'sub_08'],
      [bi(4), 'sub_09'],
      [bi(5), 'sub_10'],
      [bi(6), 'sub_11'],
      [bi(6), 'sub_12'],
    ];

    it.each(Array.from({ length: stream.length + 1 }, (_, cut) => cut))('resumed after %d records, find exactly what one scan finds', (cut) => {
      const whole = scan(new DuplicateGrouper('email', 3), stream);
      expect(idsOf(whole)).toEqual([['sub_02', 'sub_03'], ['sub_05', 'sub_06', 'sub_07'], ['sub_11', 'sub_12']]);
      expect(whole[1].detail).toEqual({ count: 5, truncated: true });

      const first = new DuplicateGrouper('email', 3);
      const before = scan(first, stream.slice(0, cut), false);
      const checkpoint: GrouperCheckpoint = JSON.parse(JSON.stringify(first.checkpoint()));
      const after = scan(DuplicateGrouper.resume(checkpoint), stream.slice(cut));
      expect([...before, ...after]).toEqual(whole);
    });

    it('resume through many restarts, one per record', () => {
      let checkpoint = new DuplicateGrouper('phone', 3).checkpoint();
      const findings: FindingDraft[] = [];
      for (const [value, id] of stream) {
        const grouper = DuplicateGrouper.resume(checkpoint);
        const finding = grouper.push(value, id);
        if (finding) findings.push(finding);
        checkpoint = JSON.parse(JSON.stringify(grouper.checkpoint()));
      }
      const last = DuplicateGrouper.resume(checkpoint).finish();
      if (last) findings.push(last);
      expect(findings).toEqual(scan(new DuplicateGrouper('phone', 3), stream));
    });

    it('refuse, once resumed, a stream restarted at or before the last record', () => {
      const grouper = new DuplicateGrouper('email');
      grouper.push(bi(4), 'sub_05');
      grouper.push(bi(4), 'sub_06');
      const resumed = DuplicateGrouper.resume(grouper.checkpoint());
      expect(() => resumed.push(bi(4), 'sub_06')).toThrow(RangeError);
      expect(() => resumed.push(bi(4), 'sub_05')).toThrow(RangeError);
      expect(() => resumed.push(bi(3), 'sub_99')).toThrow(RangeError);
      expect(resumed.push(bi(4), 'sub_07')).toBeUndefined();
      expect(resumed.finish()?.recordIds).toEqual(['sub_05', 'sub_06', 'sub_07']);
    });

    it.each<[string, GrouperCheckpoint]>([
      ['an open group without ids', { key: 'email', maxIdsPerGroup: 3, group: { value: 'v', ids: [], count: 0, lastId: 'a' } }],
      ['more ids than the limit', { key: 'email', maxIdsPerGroup: 2, group: { value: 'v', ids: ['a', 'b', 'c'], count: 3, lastId: 'c' } }],
      ['a count below the ids', { key: 'email', maxIdsPerGroup: 3, group: { value: 'v', ids: ['a', 'b'], count: 1, lastId: 'b' } }],
      ['a limit below 2', { key: 'email', maxIdsPerGroup: 1 }],
    ])('refuse to resume from %s', (_, checkpoint) => {
      expect(() => DuplicateGrouper.resume(checkpoint)).toThrow(RangeError);
    });
  });
});
