import type { RequestEnvelope, WorkerMessage } from '../protocol';

/** Sends a reply or an event to the runner over the IPC channel. */
export function sendToRunner(message: WorkerMessage): void {
  process.send?.(message);
}

/**
 * Serves the runner's requests one at a time, in arrival order, and ends
 * the process when the runner goes away (its IPC channel closes).
 */
export function serveRequests<T>(
  handle: (request: T) => Promise<unknown>,
): void {
  if (!process.send) {
    throw new Error(
      'This worker must be started by bench/run-bench.ts with an IPC channel.',
    );
  }
  let queue = Promise.resolve();
  process.on('message', (envelope: RequestEnvelope<T>) => {
    queue = queue.then(async () => {
      try {
        const result = await handle(envelope.request);
        sendToRunner({ kind: 'reply', id: envelope.id, ok: true, result });
      } catch (error) {
        const text =
          error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
        sendToRunner({
          kind: 'reply',
          id: envelope.id,
          ok: false,
          error: text,
        });
      }
    });
  });
  process.on('disconnect', () => process.exit(1));
}
