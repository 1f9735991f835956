import type { BenchValue } from '../protocol';
import { Gate } from '../util/gate';
import type { BenchConsumer } from './peer';

/**
 * Base of the consumers that read in their own loop (the raw driver and
 * Redis Streams): pausing closes a gate in front of each read, and they
 * have no partition assignment to report.
 */
export abstract class GatedConsumer implements BenchConsumer {
  protected readonly gate = new Gate();
  protected stopped = false;

  abstract start(onMessage: (value: BenchValue) => void): Promise<void>;

  abstract stop(): Promise<void>;

  assignment(): number[] | null {
    return null;
  }

  async pause(): Promise<void> {
    this.gate.close();
  }

  async resume(): Promise<void> {
    this.gate.open();
  }

  /** Marks the consumer stopped and releases a loop waiting at the gate. */
  protected beginStop(): void {
    this.stopped = true;
    this.gate.open();
  }
}
