import type { ResumeToken } from 'mongodb';

/**
 * A partition resumes right after a change-stream resume token. The token
 * is opaque: it is stored and handed back to the server, never parsed.
 */
export interface TokenPosition {
  kind: 'token';
  /** Resume token (from a change event or a post-batch resume token). */
  token: ResumeToken;
  /**
   * The token is an invalidate event (the topic collection was dropped or
   * renamed), so the stream continues with `startAfter`.
   */
  startAfter?: boolean;
  /**
   * Messages of this partition after `token`, up to and including this
   * message id (hex), were already processed and are skipped.
   */
  skipThrough?: string;
}

/**
 * A partition replays the messages its topic collection still holds (in
 * `_id` order), then continues with the live change stream.
 */
export interface ReplayPosition {
  kind: 'replay';
  /** Replay only messages with a larger `_id` (hex); all when absent. */
  afterId?: string;
  /**
   * Where the live stream continues once the replay is over. It is chosen
   * when the replay starts; messages written after it are left to the
   * stream, so none is delivered twice.
   */
  streamToken?: ResumeToken;
}

/** Where a consumer group continues reading one partition. */
export type PartitionPosition = TokenPosition | ReplayPosition;

/** The last message a group processed on a partition. */
export interface LastMessage {
  /** Message `_id` as hex. */
  id: string;
  /** The message's `timestamp` (producer clock). */
  timestamp: Date;
}
