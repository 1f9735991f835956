import {
  optionalBoolean,
  optionalChoice,
  optionalInteger,
  requireNonEmptyString,
} from '../config/validate';
import { ConfigurationError } from '../errors';

/** What a consumer does when its stored offset is older than the oplog. */
export type HistoryLostPolicy = 'replay' | 'latest' | 'fail';

/** Options of `broker.createConsumer()`. */
export interface ConsumerConfig {
  /** Consumer group: members of one group share the topic's partitions. */
  groupId: string;
  /** Topic to read. */
  topic: string;
  /** Commit offsets in the background. @default true */
  autoCommit?: boolean;
  /** Interval of background commits, in milliseconds. @default 5000 */
  autoCommitIntervalMs?: number;
  /** Also commit after this many finished records. @default no threshold */
  autoCommitThreshold?: number;
  /**
   * Where a group without stored offsets starts: `true` replays what the
   * topic retains, `false` starts with messages written from now on. It
   * matters only the first time a group reads a partition.
   * @default false
   */
  fromBeginning?: boolean;
  /** Partition count this consumer expects; checked against the topic. */
  partitions?: number;
  /**
   * Handlers that may run at once on different partitions of this
   * consumer. Records of one partition always run one at a time, in order.
   * @default 1
   */
  partitionsConsumedConcurrently?: number;
  /** Records held in memory before reading pauses. @default 1000 */
  maxBufferedRecords?: number;
  /** Events per change-stream batch. @default 500 */
  batchSize?: number;
  /** How long the server holds an empty read, in milliseconds. @default 1000 */
  maxAwaitTimeMS?: number;
  /**
   * A change-stream read that takes longer than this is treated as stalled:
   * the stream is closed, reopened from its last position and the event is
   * logged. In milliseconds. @default 60000
   */
  streamStallTimeoutMs?: number;
  /** Overrides the broker's `heartbeatIntervalMs`. */
  heartbeatIntervalMs?: number;
  /** Overrides the broker's `sessionTimeoutMs`. */
  sessionTimeoutMs?: number;
  /**
   * What to do when a stored offset can no longer be resumed because the
   * server's change history (oplog) no longer reaches back to it:
   * `replay` re-reads what the topic collection retains from shortly
   * before the last processed message (duplicates possible, no loss of
   * retained messages); `latest` skips to now (messages in the gap are not
   * delivered); `fail` stops the partitions until the offsets are reset.
   * @default 'replay'
   */
  onHistoryLost?: HistoryLostPolicy;
  /**
   * How far before the last processed message a `replay` after lost
   * history starts, to cover producers whose clocks run behind, in
   * milliseconds. @default 10000
   */
  historyLostReplayMarginMs?: number;
  /**
   * How long `disconnect()` and a revocation wait for handlers in progress,
   * in milliseconds. @default 10000
   */
  shutdownTimeoutMs?: number;
}

/** {@link ConsumerConfig} with every default applied. */
export type ResolvedConsumerConfig = Required<
  Omit<ConsumerConfig, 'partitions' | 'autoCommitThreshold'>
> &
  Pick<ConsumerConfig, 'partitions' | 'autoCommitThreshold'>;

/** Validates a consumer configuration and fills in the defaults. */
export function resolveConsumerConfig(
  config: ConsumerConfig,
  defaults: { heartbeatIntervalMs: number; sessionTimeoutMs: number },
): ResolvedConsumerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigurationError(
      'Missing consumer configuration: expected { groupId, topic }.',
    );
  }
  const heartbeatIntervalMs = optionalInteger(
    'heartbeatIntervalMs',
    config.heartbeatIntervalMs,
    defaults.heartbeatIntervalMs,
    10,
  );
  const sessionTimeoutMs = optionalInteger(
    'sessionTimeoutMs',
    config.sessionTimeoutMs,
    defaults.sessionTimeoutMs,
    100,
  );
  if (sessionTimeoutMs < heartbeatIntervalMs * 2) {
    throw new ConfigurationError(
      `Invalid sessionTimeoutMs: ${sessionTimeoutMs} ms is less than twice ` +
        `heartbeatIntervalMs (${heartbeatIntervalMs} ms), so a live member ` +
        'could be declared dead between two heartbeats. Use at least ' +
        `${heartbeatIntervalMs * 2} ms, or lower heartbeatIntervalMs.`,
    );
  }
  return {
    groupId: requireNonEmptyString('groupId', config.groupId),
    topic: requireNonEmptyString('topic', config.topic),
    autoCommit: optionalBoolean('autoCommit', config.autoCommit, true),
    autoCommitIntervalMs: optionalInteger(
      'autoCommitIntervalMs',
      config.autoCommitIntervalMs,
      5_000,
      1,
    ),
    autoCommitThreshold:
      config.autoCommitThreshold === undefined
        ? undefined
        : optionalInteger(
            'autoCommitThreshold',
            config.autoCommitThreshold,
            0,
            1,
          ),
    fromBeginning: optionalBoolean(
      'fromBeginning',
      config.fromBeginning,
      false,
    ),
    partitions:
      config.partitions === undefined
        ? undefined
        : optionalInteger('partitions', config.partitions, 1, 1),
    partitionsConsumedConcurrently: optionalInteger(
      'partitionsConsumedConcurrently',
      config.partitionsConsumedConcurrently,
      1,
      1,
    ),
    maxBufferedRecords: optionalInteger(
      'maxBufferedRecords',
      config.maxBufferedRecords,
      1_000,
      1,
    ),
    batchSize: optionalInteger('batchSize', config.batchSize, 500, 1),
    maxAwaitTimeMS: optionalInteger(
      'maxAwaitTimeMS',
      config.maxAwaitTimeMS,
      1_000,
      1,
    ),
    streamStallTimeoutMs: optionalInteger(
      'streamStallTimeoutMs',
      config.streamStallTimeoutMs,
      60_000,
      100,
    ),
    heartbeatIntervalMs,
    sessionTimeoutMs,
    onHistoryLost: optionalChoice<HistoryLostPolicy>(
      'onHistoryLost',
      config.onHistoryLost,
      ['replay', 'latest', 'fail'],
      'replay',
    ),
    historyLostReplayMarginMs: optionalInteger(
      'historyLostReplayMarginMs',
      config.historyLostReplayMarginMs,
      10_000,
      0,
    ),
    shutdownTimeoutMs: optionalInteger(
      'shutdownTimeoutMs',
      config.shutdownTimeoutMs,
      10_000,
      0,
    ),
  };
}
