import { InvalidTopicNameError } from '../errors';

/** Longest topic name accepted, in characters. */
export const MAX_TOPIC_NAME_LENGTH = 200;

/** MongoDB's limit on `database.collection`, in bytes (4.4 and later). */
const MAX_NAMESPACE_BYTES = 255;

const ALLOWED = /^[a-zA-Z0-9._-]+$/;

/**
 * Throws {@link InvalidTopicNameError} unless `topic` is a valid topic name:
 * 1 to 200 characters of `a-z A-Z 0-9 . _ -`, not `.` or `..`, not starting
 * with `__` (reserved for the broker) or `system.` (reserved by MongoDB),
 * and short enough that `database.topic` fits MongoDB's namespace limit.
 */
export function validateTopicName(topic: unknown, database: string): string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new InvalidTopicNameError(
      String(topic),
      'expected a non-empty string',
    );
  }
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicNameError(
      topic,
      `it has ${topic.length} characters; the maximum is ` +
        `${MAX_TOPIC_NAME_LENGTH}`,
    );
  }
  if (!ALLOWED.test(topic)) {
    throw new InvalidTopicNameError(
      topic,
      'only letters, digits, ".", "_" and "-" are allowed',
    );
  }
  if (topic === '.' || topic === '..') {
    throw new InvalidTopicNameError(topic, '"." and ".." are not allowed');
  }
  if (topic.startsWith('__')) {
    throw new InvalidTopicNameError(
      topic,
      'names starting with "__" are reserved for the broker',
    );
  }
  if (topic.startsWith('system.')) {
    throw new InvalidTopicNameError(
      topic,
      'names starting with "system." are reserved by MongoDB',
    );
  }
  const namespaceBytes = Buffer.byteLength(`${database}.${topic}`);
  if (namespaceBytes > MAX_NAMESPACE_BYTES) {
    throw new InvalidTopicNameError(
      topic,
      `"${database}.${topic}" is ${namespaceBytes} bytes; MongoDB allows ` +
        `${MAX_NAMESPACE_BYTES}`,
    );
  }
  return topic;
}
