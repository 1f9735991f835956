import type { RecordTicket } from '../stream/topic-reader';
import { ConcurrencyLimit } from '../util/concurrency-limit';
import { createDeferred, Deferred } from '../util/deferred';
import type { ConsumerRecord } from './consumer-record';

/** A record waiting for (or in) its handler. */
export interface DispatchItem {
  record: ConsumerRecord;
  ticket: RecordTicket;
}

/** Outcome of processing one record. */
export type ProcessOutcome =
  /** The handler succeeded; the record is finished. */
  | 'processed'
  /** The last attempt failed; the record went to the dead-letter topic. */
  | 'dead-lettered'
  /** The last attempt failed and dead-lettering is off; the record was dropped. */
  | 'dropped'
  /**
   * The last attempt failed and the policy stops the partition, or the
   * record cannot be written to the dead-letter topic at all.
   */
  | 'stopped'
  /** Processing was cancelled (revocation or shutdown). */
  | 'abandoned'
  /** The partition's offset commit was fenced: another member owns it. */
  | 'fenced';

/** Runs one record; `runInSlot` wraps each handler attempt. */
export type ProcessRecord = (
  item: DispatchItem,
  signal: AbortSignal,
  runInSlot: <T>(work: () => Promise<T>) => Promise<T>,
) => Promise<ProcessOutcome>;

/** Options of a {@link PartitionDispatcher}. */
export interface DispatcherOptions {
  /** Handler attempts that may run at once, across partitions. */
  concurrency: number;
  /** Records held in memory (queued and running) before reading pauses. */
  maxBuffered: number;
  process: ProcessRecord;
  onOutcome(item: DispatchItem, outcome: ProcessOutcome): void;
  /** A bug escaped `process` or `onOutcome`; the partition stops. */
  onUnexpectedError(item: DispatchItem, error: unknown): void;
}

interface PartitionQueue {
  items: DispatchItem[];
  running: boolean;
  /** The record in its handler right now. */
  active?: DispatchItem;
  stopped: boolean;
  controller: AbortController;
  idle?: Deferred<void>;
}

/**
 * Queues records per partition and runs them: one at a time within a
 * partition, in the order they were read, and up to `concurrency` handler
 * attempts across partitions. A retry's backoff does not hold a slot, so a
 * partition that waits to retry never blocks the others.
 */
export class PartitionDispatcher {
  private readonly queues = new Map<number, PartitionQueue>();
  private readonly slots: ConcurrencyLimit;
  private buffered = 0;
  private paused = false;
  private waiters: Deferred<void>[] = [];
  private resumed?: Deferred<void>;
  private readonly ready = Promise.resolve();

  constructor(private readonly options: DispatcherOptions) {
    this.slots = new ConcurrencyLimit(options.concurrency);
  }

  /** Records queued or running. */
  get size(): number {
    return this.buffered;
  }

  /** Whether reading is paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Queues a record on its partition. */
  enqueue(item: DispatchItem): void {
    const queue = this.queueOf(item.ticket.partition);
    if (queue.stopped) {
      return;
    }
    queue.items.push(item);
    this.buffered += 1;
    if (!queue.running) {
      this.run(queue).catch((error: unknown) => {
        queue.stopped = true;
        this.dropQueued(queue, false);
        this.options.onUnexpectedError(item, error);
      });
    }
  }

  /** Whether another record may be read right now. */
  hasCapacity(): boolean {
    return !this.paused && this.buffered < this.options.maxBuffered;
  }

  /** Resolves when another record may be read. */
  waitForCapacity(): Promise<void> {
    if (this.hasCapacity()) {
      return this.ready;
    }
    const waiter = createDeferred<void>();
    this.waiters.push(waiter);
    return waiter.promise;
  }

  /**
   * Stops reading and starting records; handlers already running finish.
   * Queued records wait for {@link resume}.
   */
  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.resumed = createDeferred<void>();
    }
  }

  /** Undoes {@link pause}. */
  resume(): void {
    this.paused = false;
    this.resumed?.resolve();
    this.resumed = undefined;
    this.release();
  }

  /** Lets every pending `waitForCapacity` call return (used on stop). */
  releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((waiter) => waiter.resolve());
  }

  /** Whether the failure policy stopped a partition. */
  isStopped(partition: number): boolean {
    return this.queues.get(partition)?.stopped ?? false;
  }

  /**
   * Drops a partition's queued records, cancels its retries and resolves
   * once the record in its handler (if any) settled.
   */
  async drain(partition: number): Promise<void> {
    const queue = this.queues.get(partition);
    if (!queue) {
      return;
    }
    queue.controller.abort();
    this.dropQueued(queue, queue.active !== undefined);
    if (queue.running) {
      queue.idle ??= createDeferred<void>();
      await queue.idle.promise;
    }
    this.queues.delete(partition);
  }

  /** Partitions with a queue. */
  partitions(): number[] {
    return [...this.queues.keys()];
  }

  private queueOf(partition: number): PartitionQueue {
    let queue = this.queues.get(partition);
    if (!queue) {
      queue = {
        items: [],
        running: false,
        stopped: false,
        controller: new AbortController(),
      };
      this.queues.set(partition, queue);
    }
    return queue;
  }

  private async run(queue: PartitionQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.items.length > 0 && !queue.controller.signal.aborted) {
        if (this.resumed) {
          await this.waitForResume(queue.controller.signal);
          continue;
        }
        const item = queue.items[0];
        queue.active = item;
        let outcome: ProcessOutcome;
        try {
          outcome = await this.options.process(
            item,
            queue.controller.signal,
            (work) => this.slots.run(work),
          );
        } finally {
          queue.active = undefined;
        }
        if (queue.items[0] === item) {
          queue.items.shift();
          this.buffered -= 1;
        }
        this.options.onOutcome(item, outcome);
        if (outcome === 'stopped' || outcome === 'fenced') {
          queue.stopped = true;
          this.dropQueued(queue, false);
        }
        this.release();
      }
    } finally {
      queue.running = false;
      queue.idle?.resolve();
      queue.idle = undefined;
    }
  }

  private waitForResume(signal: AbortSignal): Promise<void> {
    const resumed = this.resumed;
    if (!resumed || signal.aborted) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const onAbort = (): void => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void resumed.promise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Drops queued records; `keepHead` keeps the one in its handler. */
  private dropQueued(queue: PartitionQueue, keepHead: boolean): void {
    const keep = keepHead ? queue.items.slice(0, 1) : [];
    this.buffered -= queue.items.length - keep.length;
    queue.items = keep;
    this.release();
  }

  private release(): void {
    while (
      this.waiters.length > 0 &&
      !this.paused &&
      this.buffered < this.options.maxBuffered
    ) {
      this.waiters.shift()!.resolve();
    }
  }
}
