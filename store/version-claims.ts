import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../platform/mongo';

/**
 * Optimistic concurrency that holds on every backend. A conditional update (`{ _id, version }`) is atomic on MongoDB
 * but not on FerretDB v1, which reads the document and then writes it back: two writers guarded by the same version
 * can both land, and one change is lost. An insert under a unique `_id` is atomic everywhere, so each version of a
 * document is claimed first, in `<collection>_versions` under `<id>#<version>`, with what that version will be.
 *
 * Whoever holds the claim writes the version. The claim carries the write, so a writer that stopped between claiming
 * and writing does not block the document: the next writer finds the claim and writes it for them (the same content
 * whoever writes it), then tries again on top.
 */
export class VersionClaims<T> {
  private readonly claims: Collection<{ _id: string; write: T; at: Date }>;

  constructor(db: Db, collectionName: string) {
    this.claims = db.collection(`${collectionName}_versions`);
  }

  /**
   * Claims `version` of document `id` for `write`. `won` says whether this caller holds it; `write` is the claim
   * holder's (this caller's when it won), to be written by the caller either way.
   */
  async claim(id: string, version: number, write: T): Promise<{ won: boolean; write: T }> {
    const _id = `${id}#${version}`;
    try {
      await this.claims.insertOne({ _id, write, at: new Date() });
      return { won: true, write };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await this.claims.findOne({ _id });
    if (!holder) throw new Error(`claim ${_id} vanished`);
    return { won: false, write: holder.write };
  }

  /**
   * Claims the version after `base` for `write`, then writes the claimed version with `apply` — the holder's write,
   * whether or not this caller won, so a claim whose writer stopped gets written. `apply` must be conditional on
   * `base` (a `{ _id, version: base }` filter). True when this caller's write is the one claimed.
   */
  async write(id: string, base: number, write: T, apply: (claimed: T) => Promise<unknown>): Promise<boolean> {
    const claimed = await this.claim(id, base + 1, write);
    await apply(claimed.write);
    return claimed.won;
  }
}
