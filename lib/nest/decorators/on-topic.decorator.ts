import {
  ConfigurationError,
  InvalidHandlerError,
} from '../../core/errors/config-errors';
import { ON_TOPIC_METADATA } from '../change-stream.constants';
import type { OnTopicOptions } from '../interfaces/on-topic-options.interface';

/** One `@OnTopic` subscription as stored on the decorated method. */
export interface OnTopicMetadata {
  /** Topic to read. */
  topic: string;
  /** Options as given to the decorator. */
  options: OnTopicOptions;
}

/** Returns `Class.member` for an instance or a static member. */
function describeMember(target: object, propertyKey: string | symbol): string {
  const owner = typeof target === 'function' ? target : target.constructor;
  return `${owner.name || 'an anonymous class'}.${String(propertyKey)}`;
}

function describeMemberKind(
  descriptor: PropertyDescriptor | undefined,
): string {
  if (descriptor === undefined) {
    return 'a property';
  }
  if (descriptor.get !== undefined || descriptor.set !== undefined) {
    return 'an accessor';
  }
  return 'not a function';
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
  // A property decorator receives no descriptor (TypeScript's
  // experimentalDecorators), so the descriptor may be undefined here.
  return (
    target: object,
    propertyKey: string | symbol,
    descriptor: PropertyDescriptor | undefined,
  ) => {
    const method: unknown = descriptor?.value;
    if (typeof method !== 'function') {
      throw new InvalidHandlerError(
        `@OnTopic("${topic}") must decorate a method, but ` +
          `${describeMember(target, propertyKey)} is ` +
          `${describeMemberKind(descriptor)}. Move the decorator to a ` +
          'method that takes (record, context).',
      );
    }
    // The explorer binds string-named methods of provider instances.
    if (typeof target === 'function' || typeof propertyKey === 'symbol') {
      throw new InvalidHandlerError(
        `@OnTopic("${topic}") must decorate an instance method with a ` +
          `string name, but ${describeMember(target, propertyKey)} is ` +
          `${typeof target === 'function' ? 'static' : 'named by a symbol'}. ` +
          'Make it an ordinary method of the provider.',
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
