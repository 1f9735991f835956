/**
 * Swallows an error on purpose. Used where a failure is expected and already
 * handled elsewhere, such as closing a stream that the server closed first.
 */
export function ignoreError(): void {
  // Intentionally empty.
}
