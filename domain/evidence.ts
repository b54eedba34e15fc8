import { createHash } from 'node:crypto';
import { canonicalJson, type Canonicalisable } from './canonical-json';

/**
 * The evidence trail is one hash chain: event n stores the hash of event n-1, and its own hash covers its sequence
 * number, content and that previous hash. Editing, deleting, inserting or reordering any event breaks a link that
 * `verifyChain` reports. The pure rules live here; storage and concurrency live in store/evidence.ts.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface Actor {
  /** A principal id, or `system:<component>` for the engine itself. */
  id: string;
  type: 'person' | 'system';
}

/** What a caller asks to record. `data` must hold ids and decisions, never plaintext PII. */
export interface EvidenceInput {
  /** Idempotency key: the same key always names the same event, so a retried write cannot record it twice. */
  key: string;
  at: Date;
  actor: Actor;
  action: string;
  resource: { type: string; id: string };
  data: { [key: string]: Canonicalisable | undefined };
}

export interface EvidenceEvent extends EvidenceInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export function hashEvent(event: Omit<EvidenceEvent, 'hash'>): string {
  const content: Canonicalisable = {
    seq: event.seq,
    key: event.key,
    at: event.at,
    actor: { id: event.actor.id, type: event.actor.type },
    action: event.action,
    resource: { type: event.resource.type, id: event.resource.id },
    data: event.data,
    prevHash: event.prevHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Builds the event that follows `previous` (undefined for the very first event). */
export function chainEvent(input: EvidenceInput, previous: Pick<EvidenceEvent, 'seq' | 'hash'> | undefined): EvidenceEvent {
  const seq = previous ? previous.seq + 1 : 1;
  const prevHash = previous ? previous.hash : GENESIS_HASH;
  // Only the fields the hash covers are copied: anything else on the input (an actor's name, a stray property) would
  // otherwise be stored beside the event without being protected by the chain.
  const unsigned: Omit<EvidenceEvent, 'hash'> = {
    seq,
    key: input.key,
    at: input.at,
    actor: { id: input.actor.id, type: input.actor.type },
    action: input.action,
    resource: { type: input.resource.type, id: input.resource.id },
    data: input.data,
    prevHash,
  };
  return { ...unsigned, hash: hashEvent(unsigned) };
}

export interface ChainBreak {
  seq: number;
  reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'sequence-gap' | 'anchor-mismatch';
  detail: string;
}

export interface VerificationResult {
  ok: boolean;
  checked: number;
  firstSeq?: number;
  lastSeq?: number;
  headHash?: string;
  firstBreak?: ChainBreak;
}

/**
 * Incremental verifier over events in ascending `seq` order, so a chain of any length is checked in one streaming
 * pass. `start` is the link the range hangs from: the genesis for a whole-chain check, or the event before the range.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private expectedPrevHash: string;
  private checked = 0;
  private firstSeq?: number;
  private lastSeq?: number;
  private headHash?: string;
  private firstBreak?: ChainBreak;

  constructor(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.expectedPrevHash = start.hash;
  }

  /** Returns false once a break is found (later events are then not worth checking). */
  add(event: EvidenceEvent): boolean {
    if (this.firstBreak) return false;
    this.checked += 1;
    this.firstSeq ??= event.seq;
    if (event.seq !== this.expectedSeq) {
      // Reported at the seq that should have come next: for a deleted event, that is the one that is missing.
      return this.fail(this.expectedSeq, 'sequence-gap', `expected event ${this.expectedSeq}, found ${event.seq}: events are missing or reordered`);
    }
    if (event.prevHash !== this.expectedPrevHash) {
      return this.fail(event.seq, 'prev-hash-mismatch', `event ${event.seq} does not link to the hash of event ${event.seq - 1}`);
    }
    let recomputed: string;
    try {
      recomputed = hashEvent(event);
    } catch (err) {
      // A stored event edited into something that cannot even be hashed (a field removed, a NaN written in) is a
      // break to report, not an error that hides where the chain was tampered with.
      return this.fail(event.seq, 'hash-mismatch', `event ${event.seq} was altered after it was recorded: ${(err as Error).message}`);
    }
    if (recomputed !== event.hash) {
      return this.fail(event.seq, 'hash-mismatch', `event ${event.seq} was altered after it was recorded`);
    }
    this.expectedSeq = event.seq + 1;
    this.expectedPrevHash = event.hash;
    this.lastSeq = event.seq;
    this.headHash = event.hash;
    return true;
  }

  /** Checks that the chain still contains an event an auditor noted earlier (detects a truncated tail). */
  checkAnchor(anchor: { seq: number; hash: string }, found: EvidenceEvent | undefined): void {
    if (this.firstBreak) return;
    if (!found) this.fail(anchor.seq, 'anchor-mismatch', `event ${anchor.seq}, noted earlier with hash ${anchor.hash}, is missing`);
    else if (found.hash !== anchor.hash) this.fail(anchor.seq, 'anchor-mismatch', `event ${anchor.seq} no longer has the hash noted earlier`);
  }

  result(): VerificationResult {
    return {
      ok: this.firstBreak === undefined,
      checked: this.checked,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      headHash: this.headHash,
      firstBreak: this.firstBreak,
    };
  }

  private fail(seq: number, reason: ChainBreak['reason'], detail: string): false {
    this.firstBreak = { seq, reason, detail };
    return false;
  }
}
