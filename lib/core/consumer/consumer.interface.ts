import type { MessageHandlerConfig } from './message-handler';

/** The contract every consumer implements. */
export interface IChangeStreamConsumer {
  /** Unique id of this consumer, which is its member id in the group. */
  getConsumerId(): string;
  /** Consumer group; members of one group share the partitions. */
  getGroupId(): string;
  /** Topic this consumer reads. */
  getTopic(): string;
  /** Prepares the consumer; `subscribe` calls it when needed. */
  connect(): Promise<void>;
  /** Joins the group and starts handing records to the handler. */
  subscribe<T = unknown>(config: MessageHandlerConfig<T>): Promise<void>;
  /** Finishes in-flight records, commits, leaves the group and stops. */
  disconnect(): Promise<void>;
  /** Commits the positions of every finished record now. */
  commitOffsets(): Promise<void>;
}
