import { Semaphore } from 'async-mutex';

/**
 * Caps how many change-stream reads of one broker wait on the server at
 * once. Each awaiting `getMore` holds a pooled connection, so the cap keeps
 * connections free for publishes and offset commits even when a process
 * runs more streams than its pool has connections. Streams beyond the cap
 * take turns, one read (at most `maxAwaitTimeMS`) at a time.
 */
export class StreamSlots {
  private readonly semaphore: Semaphore;

  constructor(readonly capacity: number) {
    this.semaphore = new Semaphore(capacity);
  }

  /** Runs `read` while holding one slot. */
  run<T>(read: () => Promise<T>): Promise<T> {
    return this.semaphore.runExclusive(read);
  }
}
