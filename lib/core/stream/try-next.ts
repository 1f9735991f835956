import type { ChangeStream, Document } from 'mongodb';

/** The server closed a change stream's cursor without an error. */
export class StreamEndedError extends Error {
  constructor() {
    super('The server closed the change stream cursor.');
    this.name = 'StreamEndedError';
  }
}

/**
 * Reads one event, or `null` after an empty batch. When the server killed
 * the cursor (for example after an invalidate that the pipeline filtered
 * out), the driver's `tryNext` keeps returning `null` without a round trip;
 * this throws {@link StreamEndedError} instead, so callers cannot spin.
 */
export async function tryNextEvent<T extends Document>(
  stream: ChangeStream<Document, T>,
): Promise<T | null> {
  const event = await stream.tryNext();
  if (event === null && stream.closed) {
    throw new StreamEndedError();
  }
  return event;
}
