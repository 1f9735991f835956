/** Settings of a topic, given when it is created. */
export interface TopicConfig {
  /** Topic name; see {@link validateTopicName} for the rules. */
  name: string;
  /**
   * Fixed number of partitions; it cannot change after creation.
   * @default 1 (or the broker's `defaultPartitions` for auto-created topics)
   */
  partitions?: number;
  /**
   * Age after which messages are deleted by a TTL index, in milliseconds
   * (rounded up to whole seconds). MongoDB's TTL monitor runs every 60
   * seconds, so deletion happens up to a minute later. Omit to keep
   * messages forever.
   */
  retentionMs?: number;
}

/** What the broker stores about a topic. */
export interface TopicMetadata {
  name: string;
  partitions: number;
  retentionMs?: number;
  createdAt: Date;
}

/** Shape of a document in the topic registry collection. */
export interface TopicRegistryDocument {
  _id: string;
  partitions: number;
  retentionMs?: number;
  createdAt: Date;
}
