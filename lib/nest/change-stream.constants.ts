/**
 * Reflect metadata key under which `@OnTopic` stores its subscriptions on a
 * method, as an array so that one method may carry several.
 */
export const ON_TOPIC_METADATA = 'change-stream-broker:on-topic';

/** Logger context of the module's own lines (start, stop, discovery). */
export const CHANGE_STREAM_MODULE_LOG_CONTEXT = 'ChangeStreamModule';
