/**
 * Prefix of the broker's own collections. Topic names may not start with
 * `__`, so no topic can collide with them.
 */
export const INTERNAL_PREFIX = '__csb_';

/** Names of the broker's bookkeeping collections. */
export const InternalCollections = {
  /** One document per topic: partition count, retention, creation time. */
  topics: `${INTERNAL_PREFIX}topics`,
  /** One document per consumer-group member, refreshed by heartbeats. */
  members: `${INTERNAL_PREFIX}members`,
  /** One document per group, topic and partition: owner and generation. */
  partitions: `${INTERNAL_PREFIX}partitions`,
  /** Committed offsets, when MongoOffsetStorage is used. */
  offsets: `${INTERNAL_PREFIX}offsets`,
} as const;
