import type { ChangeStream, ChangeStreamDocument, ResumeToken } from 'mongodb';
import type { TopicMessageDocument } from '../producer/message-types';
import { backoffDelay } from '../util/backoff';
import { createDeferred, Deferred } from '../util/deferred';
import { delay } from '../util/delay';
import { ignoreError } from '../util/ignore-error';
import type {
  ReaderContext,
  SegmentFailureHandler,
  SegmentHandle,
} from './reader-context';
import { ReplayScanner } from './replay-scanner';
import type { SegmentLedger } from './segment-ledger';
import { isHistoryLost, isInvalidResumeToken } from './stream-errors';
import { topicStreamPipeline } from './stream-pipeline';
import { tryNextEvent } from './try-next';

type TopicEvent = ChangeStreamDocument<TopicMessageDocument>;

/** Start position of a segment. */
export type SegmentStart =
  | { kind: 'token'; token: ResumeToken; startAfter?: boolean }
  | { kind: 'replay'; streamToken?: ResumeToken };

/** Reason a segment's read loop stopped. */
type ReadOutcome = 'parked' | 'stopped' | 'refilter' | 'invalidated';

/** Lifecycle of a segment. */
export type SegmentState = 'replaying' | 'streaming' | 'parked' | 'closed';

/** Raised inside a segment when its own stream was closed on purpose. */
class StreamInterrupted extends Error {}

/**
 * One change stream over a set of partitions of a topic, from a start
 * position onwards. A reader usually has one segment per topic. It has more
 * for a short while after it gained partitions that resume elsewhere, until
 * the segments meet at a control record and merge.
 */
export class Segment implements SegmentHandle {
  readonly partitions: Set<number>;
  ledger?: SegmentLedger;
  private currentState: SegmentState;
  private stream?: ChangeStream<TopicMessageDocument, TopicEvent>;
  private barrier?: { id: string; parked: Deferred<ResumeToken> };
  private refilterRequested = false;
  private stopRequested = false;
  private stalled = false;
  private failures = 0;
  private loop?: Promise<void>;
  private replayStreamToken?: ResumeToken;

  constructor(
    private readonly context: ReaderContext,
    private readonly failureHandler: SegmentFailureHandler,
    partitions: Iterable<number>,
    start: SegmentStart,
  ) {
    this.partitions = new Set(partitions);
    if (start.kind === 'token') {
      this.ledger = context.createLedger(start.token, start.startAfter);
      this.currentState = 'streaming';
    } else {
      this.replayStreamToken = start.streamToken;
      this.currentState = 'replaying';
    }
  }

  get state(): SegmentState {
    return this.currentState;
  }

  /** Whether a merge already waits for this segment. */
  get awaitingBarrier(): boolean {
    return this.barrier !== undefined;
  }

  /** Starts the read loop. */
  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      // Only a bug gets here: run() handles every stream error itself.
      this.currentState = 'closed';
      this.context.logger.error('Change stream reader stopped unexpectedly', {
        partitions: [...this.partitions],
        error,
      });
      this.context.onStreamFailing(error, this.failures);
    });
  }

  /** Stops reading and closes the stream. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.barrier?.parked.reject(new StreamInterrupted('segment stopped'));
    this.barrier = undefined;
    await this.closeStream();
    await this.loop;
    this.currentState = 'closed';
  }

  /** Reopens the stream with the current partition set, from the head. */
  requestRefilter(): void {
    this.refilterRequested = true;
  }

  /**
   * Asks the segment to stop at the control record `barrierId`. Resolves
   * with that record's resume token once every event before it was read.
   */
  parkAt(barrierId: string): Promise<ResumeToken> {
    const parked = createDeferred<ResumeToken>();
    this.barrier = { id: barrierId, parked };
    return parked.promise;
  }

  /** Gives up waiting for a barrier (the merge was cancelled). */
  cancelBarrier(): void {
    this.barrier?.parked.reject(new StreamInterrupted('merge cancelled'));
    this.barrier = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopRequested) {
      try {
        if (this.currentState === 'replaying') {
          await this.replay();
          if (this.stopRequested) {
            return;
          }
          this.currentState = 'streaming';
          this.context.onSegmentStreaming();
        }
        this.openStream();
        const outcome = await this.readUntilInterrupted();
        if (outcome === 'parked' || outcome === 'stopped') {
          return;
        }
        if (outcome === 'invalidated') {
          await this.waitForTopic();
        }
      } catch (error) {
        await this.closeStream();
        if (this.stopRequested) {
          return;
        }
        if (isHistoryLost(error)) {
          this.close();
          this.failureHandler.onHistoryLost(this, error);
          return;
        }
        if (isInvalidResumeToken(error)) {
          this.close();
          this.failureHandler.onFatal(this, error);
          return;
        }
        await this.retryAfter(error);
      }
    }
  }

  private close(): void {
    this.currentState = 'closed';
    this.cancelBarrier();
  }

  private async retryAfter(error: unknown): Promise<void> {
    this.failures += 1;
    const wait = backoffDelay(this.failures, {
      initialDelayMs: this.context.settings.initialRetryDelayMs,
      maxDelayMs: this.context.settings.maxRetryDelayMs,
    });
    const reason = this.stalled
      ? 'Change stream stalled'
      : 'Change stream failed';
    this.stalled = false;
    this.context.logger.warn(`${reason}; reopening from the last position`, {
      partitions: [...this.partitions],
      attempt: this.failures,
      retryInMs: wait,
      error,
    });
    if (this.failures > this.context.settings.maxRetries) {
      this.context.onStreamFailing(error, this.failures);
    }
    await delay(wait);
  }

  private async replay(): Promise<void> {
    const scanner = new ReplayScanner(this.context, this.partitions);
    const streamToken = await scanner.prepare(this.replayStreamToken);
    this.replayStreamToken = streamToken;
    if (!this.ledger) {
      this.ledger = this.context.createLedger(streamToken);
      for (const partition of this.partitions) {
        const progress = this.context.progressOf(partition);
        if (progress) {
          progress.ledger = this.ledger;
        }
      }
    }
    await scanner.run(() => this.stopRequested);
  }

  private openStream(): void {
    const ledger = this.requireLedger();
    const pipeline = topicStreamPipeline(
      [...this.partitions],
      this.context.instanceId,
      this.context.partitionCount,
    );
    this.stream = this.context.collection.watch<
      TopicMessageDocument,
      TopicEvent
    >(pipeline, {
      [ledger.headIsStartAfter ? 'startAfter' : 'resumeAfter']: ledger.head,
      batchSize: this.context.settings.batchSize,
      maxAwaitTimeMS: this.context.settings.maxAwaitTimeMS,
    });
  }

  private async readUntilInterrupted(): Promise<ReadOutcome> {
    const ledger = this.requireLedger();
    for (;;) {
      if (this.stopRequested) {
        return 'stopped';
      }
      if (this.refilterRequested) {
        this.refilterRequested = false;
        await this.closeStream();
        return 'refilter';
      }
      if (!this.context.hasCapacity()) {
        await this.context.waitForCapacity();
        if (this.stopRequested) {
          return 'stopped';
        }
      }

      // Events already in the driver's buffer need no round trip, so no
      // slot and no stall timer either.
      const buffered = this.stream && this.stream.bufferedCount() > 0;
      const event = buffered
        ? await this.stream!.tryNext()
        : await this.readOne();
      this.failures = 0;
      if (event === null) {
        ledger.advanceHead(this.stream?.resumeToken ?? ledger.head);
        continue;
      }
      const outcome = this.handleEvent(event, ledger);
      if (outcome) {
        return outcome;
      }
    }
  }

  private async readOne(): Promise<TopicEvent | null> {
    const stream = this.stream;
    if (!stream) {
      throw new StreamInterrupted('stream closed');
    }
    return this.context.slots.run(async () => {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Closing waits for the hung read, so the stream is abandoned
          // and closed in the background while a new one opens.
          this.stalled = true;
          this.stream = undefined;
          stream.close().catch(ignoreError);
          reject(new StreamInterrupted('stream stalled'));
        }, this.context.settings.stallTimeoutMs);
      });
      const read = tryNextEvent(stream);
      read.catch(ignoreError);
      try {
        return await Promise.race([read, stalled]);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  private handleEvent(
    event: TopicEvent,
    ledger: SegmentLedger,
  ): ReadOutcome | undefined {
    switch (event.operationType) {
      case 'insert':
        return this.handleInsert(event, ledger);
      case 'invalidate':
        ledger.advanceHead(event._id, true);
        this.stream = undefined;
        return 'invalidated';
      case 'drop':
      case 'rename':
      case 'dropDatabase':
        // An invalidate event follows.
        ledger.advanceHead(event._id);
        this.context.onInvalidated(event.operationType);
        return undefined;
      default:
        // Updates and deletes by other tools, on a stream without a filter.
        ledger.advanceHead(event._id);
        return undefined;
    }
  }

  private handleInsert(
    event: Extract<TopicEvent, { operationType: 'insert' }>,
    ledger: SegmentLedger,
  ): ReadOutcome | undefined {
    const document = event.fullDocument;
    if (document.control) {
      if (document.control.barrier === this.barrier?.id) {
        const barrier = this.barrier;
        this.barrier = undefined;
        this.currentState = 'parked';
        ledger.advanceHead(event._id);
        void this.closeStream().then(() => barrier.parked.resolve(event._id));
        return 'parked';
      }
      ledger.advanceHead(event._id);
      return undefined;
    }

    const progress = this.partitions.has(document.partition)
      ? this.context.progressOf(document.partition)
      : undefined;
    if (!progress) {
      ledger.advanceHead(event._id);
      return undefined;
    }
    const messageId = document._id.toHexString();
    if (progress.skipThrough !== undefined) {
      ledger.advanceHead(event._id);
      if (messageId === progress.skipThrough) {
        progress.skipThrough = undefined;
        progress.markDone({
          messageId,
          timestamp: document.timestamp,
          seq: this.context.nextSeq(),
          ledgerId: ledger.id,
        });
      }
      return undefined;
    }

    const entry = ledger.append(
      this.context.nextSeq(),
      document.partition,
      messageId,
      document.timestamp,
      event._id,
    );
    this.context.deliverEvent(
      event as typeof event & { fullDocument: TopicMessageDocument },
      entry,
      ledger,
    );
    return undefined;
  }

  private async waitForTopic(): Promise<void> {
    const name = this.context.collection.collectionName;
    let attempt = 0;
    while (!this.stopRequested) {
      const found = await this.context.collection.db
        .listCollections({ name }, { nameOnly: true })
        .toArray();
      if (found.length > 0) {
        this.context.onRecreated();
        return;
      }
      attempt += 1;
      await delay(
        backoffDelay(attempt, {
          initialDelayMs: Math.min(
            200,
            this.context.settings.initialRetryDelayMs,
          ),
          maxDelayMs: 5_000,
        }),
      );
    }
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(ignoreError);
  }

  private requireLedger(): SegmentLedger {
    if (!this.ledger) {
      throw new Error('A segment reads its stream only after it has a ledger.');
    }
    return this.ledger;
  }
}
