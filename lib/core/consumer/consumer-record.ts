import type { ResumeToken } from 'mongodb';
import type { MessageHeaders } from '../producer/message-types';

export type { ResumeToken };

/** A message as a handler receives it. */
export interface Message<T = unknown> {
  /** The message's `_id` as hex; unique within the topic. */
  id: string;
  key: string | null;
  value: T;
  headers: MessageHeaders;
  /** When `send()` was called, by the producer's clock. */
  timestamp: Date;
}

/** One consumed message with its position. */
export interface ConsumerRecord<T = unknown> {
  topic: string;
  partition: number;
  message: Message<T>;
  /**
   * Resume token of the change event that carried the message. It is
   * `null` for messages replayed from the topic collection (`fromBeginning`,
   * a seek, or recovery from lost change history), which have no event.
   */
  offset: ResumeToken | null;
  /** When the message was produced (same as `message.timestamp`). */
  timestamp: Date;
}
