/** Stable codes of the errors this library throws, for `switch` and logs. */
export const BrokerErrorCode = {
  InvalidConfig: 'INVALID_CONFIG',
  InvalidTopicName: 'INVALID_TOPIC_NAME',
  TopicNotFound: 'TOPIC_NOT_FOUND',
  PartitionMismatch: 'PARTITION_MISMATCH',
  InvalidPartition: 'INVALID_PARTITION',
  ConnectionFailed: 'CONNECTION_FAILED',
  NotConnected: 'NOT_CONNECTED',
  InvalidMessage: 'INVALID_MESSAGE',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  InvalidHandler: 'INVALID_HANDLER',
  InvalidConsumerState: 'INVALID_CONSUMER_STATE',
  OffsetFenced: 'OFFSET_FENCED',
  OffsetMismatch: 'OFFSET_MISMATCH',
  HistoryLost: 'HISTORY_LOST',
  PartitionNotOwned: 'PARTITION_NOT_OWNED',
  GroupActive: 'GROUP_ACTIVE',
  OffsetStorageFailed: 'OFFSET_STORAGE_FAILED',
} as const;

/** One of the {@link BrokerErrorCode} values. */
export type BrokerErrorCode =
  (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];
