import type { ConsumerRecord } from '../../lib/core';

/** Collects the records a handler receives, for assertions. */
export class RecordCollector<T = unknown> {
  readonly records: ConsumerRecord<T>[] = [];

  /** A handler that records every record it gets. */
  readonly handler = async (record: ConsumerRecord<T>): Promise<void> => {
    this.records.push(record);
  };

  /** Values received so far, in arrival order. */
  values(): T[] {
    return this.records.map((record) => record.message.value);
  }

  /** Message ids received so far. */
  ids(): string[] {
    return this.records.map((record) => record.message.id);
  }
}
