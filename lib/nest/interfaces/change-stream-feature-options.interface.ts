import type { TopicConfig } from '../../core/topics/topic-metadata';

/** Options of `ChangeStreamModule.forFeature()`. */
export interface ChangeStreamFeatureOptions {
  /**
   * Topics to create when missing (a name, or a name with a partition
   * count and retention). Each gets a publisher injectable with
   * `@InjectPublisher(name)`.
   */
  topics: Array<string | TopicConfig>;
}
