import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ON_TOPIC_METADATA } from '../change-stream.constants';
import type { OnTopicMetadata } from '../decorators/on-topic.decorator';

/** Reads the `@OnTopic` subscriptions of a method. */
@Injectable()
export class OnTopicMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** Returns the method's subscriptions, or none for a plain method. */
  getSubscriptions(method: unknown): OnTopicMetadata[] {
    if (typeof method !== 'function') {
      return [];
    }
    return (
      this.reflector.get<OnTopicMetadata[] | undefined>(
        ON_TOPIC_METADATA,
        method,
      ) ?? []
    );
  }
}
