/**
 * The client's default deadlines, so that a stalled call always ends (each one can be set per client or per
 * call; `0` turns it off). OpenRouter keeps a stream alive with `: OPENROUTER PROCESSING` comments while a
 * model reasons, so the stream timers count only data events, and the defaults leave room for long first
 * tokens.
 */

/**
 * Total time of a non-streaming call (retries included), and of the wait for a stream's response headers:
 * 10 minutes. A non-streaming chat waits for the whole generation, reasoning included (32k output tokens at
 * 50 tokens/s take about 11 minutes, few answers are that long); the OpenAI SDK uses the same 10 minutes.
 * Longer generations should stream.
 */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * Time to the first data event of a stream: 5 minutes. Reasoning models that hide their reasoning send only
 * keep-alive comments until the answer starts, which takes seconds to a few minutes; past 5 minutes an
 * answer with nothing to show is far more likely stuck than thinking.
 */
export const DEFAULT_FIRST_EVENT_TIMEOUT_MS = 5 * 60_000;

/**
 * Time between two data events once a stream has started: 2 minutes. Tokens normally arrive many times a
 * second; a pause in the middle of an answer (a provider switching to hidden reasoning, a tool call being
 * prepared) lasts seconds, rarely a minute. Two minutes of nothing but comments is a stalled stream.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 2 * 60_000;
