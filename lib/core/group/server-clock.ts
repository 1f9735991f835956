import type { Db } from 'mongodb';

/**
 * Estimates the server's clock from `hello.localTime`, so that members on
 * machines with skewed clocks agree on when a heartbeat expired. Heartbeats
 * themselves are stamped by the server (`$currentDate`).
 */
export class ServerClock {
  private offsetMs = 0;
  private syncedAt = 0;
  private syncing?: Promise<void>;

  constructor(
    private readonly db: Db,
    /** Skip a sync when the last one is more recent than this. */
    private readonly minSyncIntervalMs = 1_000,
  ) {}

  /** Current server time estimate, in milliseconds since the epoch. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Refreshes the estimate (at most once per `minSyncIntervalMs`). */
  async sync(): Promise<void> {
    if (Date.now() - this.syncedAt < this.minSyncIntervalMs) {
      return;
    }
    this.syncing ??= this.measure().finally(() => {
      this.syncing = undefined;
    });
    await this.syncing;
  }

  private async measure(): Promise<void> {
    const sent = Date.now();
    const reply = await this.db.admin().command({ hello: 1 });
    const received = Date.now();
    if (reply.localTime instanceof Date) {
      // Assume the server read its clock halfway through the round trip.
      this.offsetMs = reply.localTime.getTime() - (sent + received) / 2;
    }
    this.syncedAt = received;
  }
}
