import type { ChangeStreamBrokerError } from '../errors';

/** Identifies the consumer an event came from. */
export interface ConsumerEventSource {
  groupId: string;
  topic: string;
  memberId: string;
}

/** Events a consumer emits; the Nest module logs them. */
export interface ConsumerEvents {
  /** The consumer joined its group. */
  'consumer.joined': (source: ConsumerEventSource) => void;
  /** The consumer now owns and reads these partitions. */
  'consumer.partitions.assigned': (
    source: ConsumerEventSource,
    partitions: number[],
  ) => void;
  /** The consumer handed these partitions over after committing. */
  'consumer.partitions.revoked': (
    source: ConsumerEventSource,
    partitions: number[],
  ) => void;
  /** Another member took these partitions over; nothing was committed. */
  'consumer.partitions.lost': (
    source: ConsumerEventSource,
    partitions: number[],
    reason: string,
  ) => void;
  /** The failure policy or an unusable offset stopped a partition. */
  'consumer.partition.stopped': (
    source: ConsumerEventSource,
    partition: number,
    reason: string,
  ) => void;
  /** Offsets of these partitions were written. */
  'consumer.offsets.committed': (
    source: ConsumerEventSource,
    partitions: number[],
  ) => void;
  /** The topic collection was dropped or renamed. */
  'consumer.topic.invalidated': (
    source: ConsumerEventSource,
    operation: string,
  ) => void;
  /** An error the consumer handles itself (it keeps running). */
  'consumer.error': (
    source: ConsumerEventSource,
    error: ChangeStreamBrokerError | Error,
  ) => void;
  /** The consumer left its group and stopped. */
  'consumer.left': (source: ConsumerEventSource) => void;
}
