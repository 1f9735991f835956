import { Injectable } from '@nestjs/common';
import type { ChangeStreamConsumer } from '../../core/consumer/consumer';
import { ConfigurationError } from '../../core/errors/config-errors';

/** A running consumer of an `@OnTopic` handler. */
export interface RegisteredConsumer {
  /** `Class#method` of the handler. */
  readonly name: string;
  /** Consumer group the consumer is a member of. */
  readonly groupId: string;
  /** Topic the consumer reads. */
  readonly topic: string;
  /** The core consumer, for its assignment, seek and commit methods. */
  readonly consumer: ChangeStreamConsumer;
}

/**
 * Runtime view of the consumers started for `@OnTopic` handlers: list
 * them, pause and resume them. Inject it anywhere once
 * `ChangeStreamModule.forRoot()` is imported.
 */
@Injectable()
export class ConsumerRegistry {
  private readonly entries: RegisteredConsumer[] = [];

  /** Lists the running consumers, all or those of one handler. */
  getConsumers(name?: string): RegisteredConsumer[] {
    return this.entries.filter(
      (entry) => name === undefined || entry.name === name,
    );
  }

  /**
   * Stops the consumers of handler `name` (`Class#method`) from reading
   * further records. Handlers already running finish.
   *
   * NOTE: records read before the pause, including one from a read that was
   * already waiting for the next change, are still handed to the handler:
   * the core consumer's pause() only stops further reads.
   */
  pause(name: string): void {
    this.require(name).forEach((entry) => entry.consumer.pause());
  }

  /** Resumes the consumers of handler `name` after {@link pause}. */
  resume(name: string): void {
    this.require(name).forEach((entry) => entry.consumer.resume());
  }

  /** Whether every consumer of handler `name` is paused. */
  isPaused(name: string): boolean {
    return this.require(name).every((entry) => entry.consumer.isPaused());
  }

  /** @internal Called by the module when a consumer starts. */
  add(entry: RegisteredConsumer): void {
    this.entries.push(entry);
  }

  /** @internal Called by the module once a consumer stopped. */
  remove(entry: RegisteredConsumer): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) {
      this.entries.splice(index, 1);
    }
  }

  private require(name: string): RegisteredConsumer[] {
    const matches = this.getConsumers(name);
    if (matches.length === 0) {
      const known = [...new Set(this.entries.map((entry) => entry.name))];
      throw new ConfigurationError(
        `No running consumer for handler "${name}". Running handlers: ` +
          `${known.length > 0 ? known.join(', ') : 'none'}.`,
      );
    }
    return matches;
  }
}
