import type { ClientSession, ObjectId } from 'mongodb';

/** Message headers: string names to string values. */
export type MessageHeaders = Record<string, string>;

/** A message handed to `producer.send()`. */
export interface ProducerMessage<T = unknown> {
  /**
   * Messages with the same key go to the same partition and keep their
   * order. Without a key, messages are spread round-robin.
   */
  key?: string | null;
  /** Payload; anything MongoDB can store (BSON). */
  value: T;
  /** Optional metadata, such as an event type. */
  headers?: MessageHeaders;
  /** Explicit partition; overrides the key. */
  partition?: number;
}

/** Options of `producer.send()`. */
export interface SendOptions {
  /**
   * A session of the broker's client. When it is in a transaction, the
   * messages are written in that transaction: they become visible to
   * consumers only if it commits.
   */
  session?: ClientSession;
}

/** What `send()` wrote for one message. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The message's `_id` as a hex string. */
  messageId: string;
  key: string | null;
  timestamp: Date;
}

/** How a message is stored in its topic collection. */
export interface TopicMessageDocument<T = unknown> {
  _id: ObjectId;
  /** Partition number; -1 marks the consumers' own control records. */
  partition: number;
  key: string | null;
  value: T;
  headers: MessageHeaders;
  /** Time of the `send()` call, by the producer's clock. */
  timestamp: Date;
  /** Present only on control records, which consumers never deliver. */
  control?: ControlRecord;
}

/** Marker a consumer writes into a topic to line up its change streams. */
export interface ControlRecord {
  /** Consumer instance that wrote the marker; only it reacts to it. */
  consumer: string;
  /** Id of the merge the marker belongs to. */
  barrier: string;
}
