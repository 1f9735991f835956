/**
 * Sends a JSON request and returns the parsed response body. Rejects with
 * the method, URL, status and body when the status is not 2xx.
 */
export async function requestJson<T>(
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers:
      body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `${method} ${url} failed with status ${response.status}: ${text}`,
    );
  }
  return JSON.parse(text) as T;
}
