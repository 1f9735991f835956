import { Inject } from '@nestjs/common';
import { CHANGE_STREAM_MONGO_CLIENT } from '../change-stream.tokens';

/**
 * Injects the broker's `MongoClient`, so the application can write its own
 * data in the same transactions as the messages it publishes.
 */
export const InjectMongoClient = (): PropertyDecorator & ParameterDecorator =>
  Inject(CHANGE_STREAM_MONGO_CLIENT);
