import type { ResumeToken } from 'mongodb';

/** One change event handed to a handler, in the order it was read. */
export interface LedgerEntry {
  /** Read order across the whole reader; grows by one per event read. */
  readonly seq: number;
  /** Id of the ledger that contains the entry. */
  readonly ledgerId: number;
  readonly partition: number;
  /** Message `_id` as hex. */
  readonly messageId: string;
  /** The message's producer timestamp. */
  readonly timestamp: Date;
  /** Resume token of this event. */
  readonly token: ResumeToken;
  /** Stream position right before this event. */
  readonly prevToken: ResumeToken;
  /** `prevToken` is an invalidate event, resumable only with `startAfter`. */
  readonly prevStartAfter: boolean;
  /** Set once the handler finished (or the record was dead-lettered). */
  done: boolean;
  /** Set when the record was dropped without being processed. */
  abandoned: boolean;
}

/** End of a ledger's finished prefix. */
export interface LowWater {
  /** Every event up to this token is finished (or belongs to no partition). */
  token: ResumeToken;
  /** Sequence number of the oldest unfinished entry, if any. */
  firstPendingSeq?: number;
  /** The token is the invalidate event the stream started after. */
  startAfter: boolean;
}

/**
 * Tracks the events one change stream delivered and which of them are
 * finished. Handlers of different partitions finish out of order, so the
 * low water mark is the last token before which everything is finished.
 * Every partition of the stream can safely resume from it.
 */
export class SegmentLedger {
  private readonly entries: LedgerEntry[] = [];
  private first = 0;
  private headToken: ResumeToken;
  private headStartAfter: boolean;
  private readonly pendingByPartition = new Map<number, number>();

  constructor(
    /** Creation order of ledgers within a reader. */
    readonly id: number,
    startToken: ResumeToken,
    startAfter = false,
  ) {
    this.headToken = startToken;
    this.headStartAfter = startAfter;
  }

  /** Latest token read: an event's or a post-batch resume token. */
  get head(): ResumeToken {
    return this.headToken;
  }

  /** Whether the head is an invalidate event (resume with `startAfter`). */
  get headIsStartAfter(): boolean {
    return this.headStartAfter;
  }

  /** Moves the head past events (or empty batches) that need no processing. */
  advanceHead(token: ResumeToken, isInvalidate = false): void {
    this.headToken = token;
    this.headStartAfter = isInvalidate;
  }

  /** Records an event handed to a handler and moves the head past it. */
  append(
    seq: number,
    partition: number,
    messageId: string,
    timestamp: Date,
    token: ResumeToken,
  ): LedgerEntry {
    const entry: LedgerEntry = {
      seq,
      ledgerId: this.id,
      partition,
      messageId,
      timestamp,
      token,
      prevToken: this.headToken,
      prevStartAfter: this.headStartAfter,
      done: false,
      abandoned: false,
    };
    this.entries.push(entry);
    this.headToken = token;
    this.headStartAfter = false;
    this.pendingByPartition.set(
      partition,
      (this.pendingByPartition.get(partition) ?? 0) + 1,
    );
    return entry;
  }

  /** Marks an entry finished. */
  markDone(entry: LedgerEntry): void {
    if (entry.done) {
      return;
    }
    entry.done = true;
    this.decrementPending(entry.partition);
    this.trim();
  }

  /**
   * Drops the unfinished entries of a partition that left this stream. They
   * stop holding back the low water mark of the other partitions.
   */
  forgetPartition(partition: number): void {
    for (let index = this.first; index < this.entries.length; index += 1) {
      const entry = this.entries[index];
      if (entry.partition === partition && !entry.done) {
        entry.abandoned = true;
        entry.done = true;
      }
    }
    this.pendingByPartition.delete(partition);
    this.trim();
  }

  /** Number of unfinished entries of a partition. */
  pending(partition: number): number {
    return this.pendingByPartition.get(partition) ?? 0;
  }

  /** Whether any entry is unfinished. */
  hasPending(): boolean {
    return this.first < this.entries.length;
  }

  /**
   * Returns the low water mark. With `assumeDone`, the mark is computed as
   * if that entry were already finished (used to commit inside the
   * transaction that finishes it).
   */
  lowWater(assumeDone?: LedgerEntry): LowWater {
    for (let index = this.first; index < this.entries.length; index += 1) {
      const entry = this.entries[index];
      if (!entry.done && entry !== assumeDone) {
        return {
          token: entry.prevToken,
          firstPendingSeq: entry.seq,
          startAfter: entry.prevStartAfter,
        };
      }
    }
    return { token: this.headToken, startAfter: this.headStartAfter };
  }

  private decrementPending(partition: number): void {
    const count = (this.pendingByPartition.get(partition) ?? 0) - 1;
    if (count > 0) {
      this.pendingByPartition.set(partition, count);
    } else {
      this.pendingByPartition.delete(partition);
    }
  }

  private trim(): void {
    while (this.first < this.entries.length && this.entries[this.first].done) {
      this.first += 1;
    }
    if (this.first > 1024 && this.first * 2 > this.entries.length) {
      this.entries.splice(0, this.first);
      this.first = 0;
    }
  }
}
