import type { ResumeToken } from 'mongodb';
import type { LastMessage, PartitionPosition } from '../offsets/position';
import type { LedgerEntry, SegmentLedger } from './segment-ledger';

/** The last record of a partition that was finished, and where it was read. */
export interface DoneMarker {
  readonly messageId: string;
  readonly timestamp: Date;
  readonly seq: number;
  /** Id of the ledger the record was read into. */
  readonly ledgerId: number;
}

/** Replay state of a partition that reads retained messages first. */
export interface ReplayProgress {
  /** Last replayed message finished (or the starting point), as hex. */
  afterId?: string;
  /** Resume token of the live stream after the replay. */
  streamToken?: ResumeToken;
  /** Whether the scan of the collection still runs for this partition. */
  scanning: boolean;
  /** Replayed records handed out and not finished yet. */
  pending: number;
  /** Last document the scan handed out (or skipped), as hex. */
  scannedThrough?: string;
}

/** Stream position of a partition at the moment it stopped being read. */
export interface FrozenHead {
  ledger: SegmentLedger;
  token: ResumeToken;
  startAfter: boolean;
  /** Reader sequence number at that moment. */
  seq: number;
}

/** Options of {@link PartitionProgress.position}. */
export interface PositionOptions {
  /** Compute the position that applies once this entry is finished. */
  assumeDone?: LedgerEntry;
  /** Compute the stream position even while a replay is unfinished. */
  ignoreReplay?: boolean;
}

/**
 * What a reader knows about one owned partition: the stream that reads it,
 * its last finished record, and any skip marker or replay in progress.
 */
export class PartitionProgress {
  /** Ledger of the stream that currently reads this partition. */
  ledger?: SegmentLedger;
  /**
   * Message id from the stored position that was processed after the
   * stream's start token; events up to it are skipped.
   */
  skipThrough?: string;
  lastDone?: DoneMarker;
  replay?: ReplayProgress;
  /** The last finished record, whichever way it came. */
  private latest?: LastMessage | DoneMarker;
  /**
   * Set when the partition stopped being read (revoked, lost, or moved):
   * events after this head were never handed out, so the position must not
   * move past it.
   */
  frozen?: FrozenHead;

  constructor(readonly partition: number) {}

  /** Records a finished stream event (or a skipped, already processed one). */
  markDone(marker: DoneMarker): void {
    this.lastDone = marker;
    this.latest = marker;
  }

  /** Records a finished message that came from a replay or a stored offset. */
  recordMessage(message: LastMessage | undefined): void {
    this.latest = message;
  }

  /** Last finished message of this partition, for offsets and lag. */
  get lastMessage(): LastMessage | undefined {
    const latest = this.latest;
    if (latest && 'messageId' in latest) {
      return { id: latest.messageId, timestamp: latest.timestamp };
    }
    return latest;
  }

  /**
   * Computes where this partition resumes. `ledgers` lists the reader's
   * ledgers oldest first.
   */
  position(
    ledgers: readonly SegmentLedger[],
    options: PositionOptions = {},
  ): PartitionPosition | undefined {
    const assumeDone = options.assumeDone;
    if (
      !options.ignoreReplay &&
      this.replay &&
      (this.replay.scanning || this.replay.pending > 0)
    ) {
      return {
        kind: 'replay',
        afterId: this.replay.afterId,
        streamToken: this.replay.streamToken,
      };
    }
    const assumed =
      assumeDone && assumeDone.partition === this.partition
        ? assumeDone
        : undefined;
    const pendingLedger = ledgers.find(
      (ledger) =>
        ledger.pending(this.partition) -
          (assumed?.ledgerId === ledger.id ? 1 : 0) >
        0,
    );
    const ledger = pendingLedger ?? this.ledger;
    if (!ledger) {
      return undefined;
    }

    const low = ledger.lowWater(assumed);
    const frozen = this.frozen;
    if (
      frozen &&
      frozen.ledger === ledger &&
      (low.firstPendingSeq === undefined || low.firstPendingSeq > frozen.seq)
    ) {
      // Nothing of this partition is pending before the freeze, but later
      // events of it were ignored: resume at the frozen head.
      return {
        kind: 'token',
        token: frozen.token,
        ...(frozen.startAfter ? { startAfter: true } : {}),
        ...(this.skipThrough === undefined
          ? {}
          : { skipThrough: this.skipThrough }),
      };
    }
    const lastDone = assumed ?? this.lastDone;
    let skipThrough: string | undefined;
    if (this.skipThrough !== undefined && ledger === this.ledger) {
      skipThrough = this.skipThrough;
    } else if (
      lastDone &&
      lastDone.ledgerId === ledger.id &&
      low.firstPendingSeq !== undefined &&
      lastDone.seq >= low.firstPendingSeq
    ) {
      skipThrough = lastDone.messageId;
    }
    return {
      kind: 'token',
      token: low.token,
      ...(low.startAfter ? { startAfter: true } : {}),
      ...(skipThrough === undefined ? {} : { skipThrough }),
    };
  }
}
