/**
 * Reads a stream the way a caller's `for await` does, keeping every event that arrived and the error (if any)
 * it ended with, so a test can check both. Shared by the stream suites of every API.
 */
export async function collect<E>(stream: AsyncIterable<E>): Promise<{ events: E[]; error: unknown }> {
  const events: E[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}
