import { Collection, ObjectId } from 'mongodb';
import { ConfigurationError } from '../errors';
import type { PartitionPosition } from './position';
import type { TopicMessageDocument } from '../producer/message-types';
import { probeCurrentToken } from '../stream/stream-pipeline';

/**
 * Target of `consumer.seek()` and `admin.resetOffsets()`: the earliest
 * retained message, now, or the first message produced at or after a time.
 */
export type OffsetTarget = 'earliest' | 'latest' | Date;

/** Largest time an ObjectId stores, in seconds since 1970 (early 2106). */
const MAX_OBJECT_ID_SECONDS = 0xffff_ffff;

function describeTarget(to: unknown): string {
  if (to instanceof Date) {
    return 'an invalid Date';
  }
  if (typeof to === 'string') {
    return JSON.stringify(to);
  }
  if (typeof to === 'function') {
    return 'a function';
  }
  if (typeof to === 'object' && to !== null) {
    return 'an object';
  }
  return String(to);
}

/**
 * Throws a {@link ConfigurationError} unless `to` is "earliest", "latest"
 * or a valid Date. `name` names the argument in the message.
 */
export function validateOffsetTarget(name: string, to: unknown): OffsetTarget {
  const valid =
    to === 'earliest' ||
    to === 'latest' ||
    (to instanceof Date && !Number.isNaN(to.getTime()));
  if (!valid) {
    throw new ConfigurationError(
      `Invalid ${name}: ${describeTarget(to)}; expected "earliest", ` +
        '"latest" or a valid Date.',
    );
  }
  return to;
}

/**
 * Returns an id that sorts before every message id created at or after
 * `time` (milliseconds since 1970) and after every earlier one. Ids store
 * whole seconds from 1970 to early 2106, so times outside that range are
 * clamped to it instead of wrapping around.
 */
export function idBefore(time: number): string {
  const seconds = Math.min(
    MAX_OBJECT_ID_SECONDS,
    Math.max(0, Math.floor(time / 1000)),
  );
  return ObjectId.createFromTime(seconds).toHexString();
}

/**
 * Returns the position that starts a partition at `to`. "latest" opens a
 * change stream on `collection` to read the current resume token.
 */
export async function positionAt(
  to: OffsetTarget,
  collection: Collection<TopicMessageDocument>,
): Promise<PartitionPosition> {
  if (to === 'latest') {
    return { kind: 'token', token: await probeCurrentToken(collection) };
  }
  if (to === 'earliest') {
    return { kind: 'replay' };
  }
  return { kind: 'replay', afterId: idBefore(to.getTime()) };
}
