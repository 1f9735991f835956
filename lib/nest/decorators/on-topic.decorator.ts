import { ConfigurationError } from '../../core/errors/config-errors';
import { ON_TOPIC_METADATA } from '../change-stream.constants';
import type { OnTopicOptions } from '../interfaces/on-topic-options.interface';

/** One `@OnTopic` subscription as stored on the decorated method. */
export interface OnTopicMetadata {
  /** Topic to read. */
  topic: string;
  /** Options as given to the decorator. */
  options: OnTopicOptions;
}

/**
 * Subscribes a provider method to a topic. The method receives
 * `(record, context)` like a core `MessageHandler`, with `this` bound to
 * the provider instance. Consumers start when the application bootstraps
 * and leave their group when it shuts down.
 *
 * The decorator stacks: a method may subscribe to several topics, or to
 * one topic in several groups.
 *
 * ```ts
 * @OnTopic('purchases', { groupId: 'classroom-service', transactional: true })
 * async enroll(record: ConsumerRecord<PurchaseEvent>, { session }: HandlerContext) {}
 * ```
 */
export function OnTopic(
  topic: string,
  options: OnTopicOptions = {},
): MethodDecorator {
  if (typeof topic !== 'string' || topic.trim() === '') {
    throw new ConfigurationError(
      `Invalid topic for @OnTopic: expected a non-empty string, got ` +
        `${JSON.stringify(topic)}.`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      `Invalid options for @OnTopic("${topic}"): expected an object, got ` +
        `${options === null ? 'null' : typeof options}.`,
    );
  }
  return (_target, _propertyKey, descriptor: PropertyDescriptor) => {
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new ConfigurationError(
        `@OnTopic("${topic}") must decorate a method.`,
      );
    }
    const existing: OnTopicMetadata[] =
      Reflect.getMetadata(ON_TOPIC_METADATA, method) ?? [];
    Reflect.defineMetadata(
      ON_TOPIC_METADATA,
      [...existing, { topic, options: { ...options } }],
      method,
    );
    return descriptor;
  };
}
