/**
 * Duplicate subjects: records sharing a key. The store streams (key value, record id) pairs sorted by key, so equal
 * keys arrive together and a group is complete as soon as the key changes; memory stays bounded by one group, however
 * many subjects there are. The key values are blind indexes (keyed hashes) of personal data: they are compared, never
 * reported.
 */
import type { FindingDraft, Severity } from './types';

export const DUPLICATE_KEYS = ['email', 'phone', 'name'] as const;
export type DuplicateKey = (typeof DUPLICATE_KEYS)[number];

export const DUPLICATE_RULES: Readonly<Record<DuplicateKey, { rule: string; severity: Severity; recommendation: string }>> = {
  email: { rule: 'duplicate-email', severity: 'medium', recommendation: 'Merge the records of the same person, keeping every consent and its proof, or correct the e-mail address of the wrong one.' },
  phone: { rule: 'duplicate-phone', severity: 'medium', recommendation: 'Merge the records of the same person, keeping every consent and its proof, or correct the phone number of the wrong one.' },
  // Different people share names: a likely duplicate for a person to confirm, not a certain one.
  name: { rule: 'near-duplicate-name', severity: 'low', recommendation: 'Check whether the records are the same person; if so, merge them, keeping every consent and its proof.' },
};

/**
 * The form of a name that spelling variants share: accents, case, punctuation and word order removed, so that
 * "Müller, Anna" and "anna MULLER" match. Undefined when no letter or digit is left.
 */
export function nameMatchKey(name: string): string | undefined {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // NFKD leaves ß whole; lower-casing first also catches the capital ẞ.
    .replace(/ß/g, 'ss')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '');
  return tokens.length > 0 ? tokens.sort().join(' ') : undefined;
}

/** Everything a scan needs to go on after a restart: small, and plain JSON. */
export interface GrouperCheckpoint {
  key: DuplicateKey;
  maxIdsPerGroup: number;
  /**
   * The group still open: its value and last id are the last pair pushed, where the resumed stream starts (after).
   * Absent before the first push and after `finish`.
   */
  group?: { value: string; ids: string[]; count: number; lastId: string };
}

type Group = NonNullable<GrouperCheckpoint['group']>;

export class DuplicateGrouper {
  private group: Group | undefined;

  constructor(
    readonly key: DuplicateKey,
    readonly maxIdsPerGroup = 50,
  ) {
    if (!Number.isInteger(maxIdsPerGroup) || maxIdsPerGroup < 2) throw new RangeError('maxIdsPerGroup must be a whole number, 2 or more');
  }

  static resume(checkpoint: GrouperCheckpoint): DuplicateGrouper {
    const grouper = new DuplicateGrouper(checkpoint.key, checkpoint.maxIdsPerGroup);
    const group = checkpoint.group;
    if (group && (group.ids.length === 0 || group.ids.length > checkpoint.maxIdsPerGroup || group.count < group.ids.length)) {
      throw new RangeError('the checkpoint does not hold a group this grouper could have written');
    }
    grouper.group = group && { ...group, ids: [...group.ids] };
    return grouper;
  }

  /**
   * Adds one record; returns the finding for the previous group when `value` closes it. Pairs must come in strictly
   * ascending order (value, then id, by code unit as `<` compares): out of order, a group would be split and
   * reported twice, and a repeated pair would make a record its own duplicate.
   */
  push(value: string, id: string): FindingDraft | undefined {
    const open = this.group;
    if (open && (value < open.value || (value === open.value && id <= open.lastId))) {
      throw new RangeError(`${this.key} pairs out of order: record ${id} after ${open.lastId}`);
    }
    if (open && value === open.value) {
      if (open.ids.length < this.maxIdsPerGroup) open.ids.push(id);
      open.count += 1;
      open.lastId = id;
      return undefined;
    }
    this.group = { value, ids: [id], count: 1, lastId: id };
    return open && this.findingOf(open);
  }

  /** Closes the last group at the end of the stream; returns its finding if it has duplicates. */
  finish(): FindingDraft | undefined {
    const open = this.group;
    this.group = undefined;
    return open && this.findingOf(open);
  }

  checkpoint(): GrouperCheckpoint {
    const open = this.group;
    return { key: this.key, maxIdsPerGroup: this.maxIdsPerGroup, ...(open && { group: { ...open, ids: [...open.ids] } }) };
  }

  private findingOf(group: Group): FindingDraft | undefined {
    if (group.count < 2) return undefined;
    const { rule, severity, recommendation } = DUPLICATE_RULES[this.key];
    // The first ids in id order, so a group that stays the same keeps the same record ids from one audit to the next.
    return { check: 'duplicates', rule, severity, recordType: 'subject', recordIds: [...group.ids], recommendation, detail: { count: group.count, truncated: group.count > group.ids.length } };
  }
}
