import { MongoServerError } from 'mongodb';

/** Server error codes that matter when a change stream opens or resumes. */
export const StreamErrorCode = {
  /** The resume point fell off the change history (oplog). */
  ChangeStreamHistoryLost: 286,
  /** The oplog position of a tailing cursor was overwritten. */
  CappedPositionLost: 136,
  /** Servers before 4.4 report a lost resume point with this code. */
  ChangeStreamFatalError: 280,
  /** The resume token cannot be used (wrong collection, invalidate token). */
  InvalidResumeToken: 260,
} as const;

/** Whether the server can no longer resume from the requested position. */
export function isHistoryLost(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    (error.code === StreamErrorCode.ChangeStreamHistoryLost ||
      error.code === StreamErrorCode.CappedPositionLost ||
      error.code === StreamErrorCode.ChangeStreamFatalError)
  );
}

/** Whether the server rejected the resume token itself. */
export function isInvalidResumeToken(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    error.code === StreamErrorCode.InvalidResumeToken
  );
}
