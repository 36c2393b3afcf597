/**
 * Sends a forwarded SSE stream to the app: straight onto Node's `ServerResponse` when the gateway runs as a
 * server (the headers leave with the first event, one socket write per upstream read), or as a web
 * `ReadableStream` when it is called as `fetch`. Both run the same `SseForwarder` and call `finish` exactly
 * once: when the upstream ended, failed, went silent past a stream timeout, or the app went away first.
 */
import type { ServerResponse } from "node:http";
import type { Forwarded, SseForwarder, SseOutcome } from "./sse.js";
import type { StreamDeadline } from "./stream-deadline.js";

export interface SsePipe {
  upstream: ReadableStream<Uint8Array>;
  forwarder: SseForwarder;
  /** Writes the usage row; its text (SSE comments) goes out before the closing event. */
  finish: (outcome: SseOutcome) => Promise<string | undefined>;
  /** Cancel the upstream request (the app disconnected, or the upstream went silent). */
  cancelUpstream: () => void;
  /** The stream's first-event and idle timeouts, already started; told of every chunk carrying data. */
  deadline: StreamDeadline;
}

/** Feeds one upstream read to the forwarder, telling the deadline when it carried a data event. */
function feed(pipe: SsePipe, bytes: Uint8Array): Forwarded {
  const before = pipe.forwarder.dataEvents;
  const text = pipe.forwarder.feed(bytes);
  if (pipe.forwarder.dataEvents !== before) pipe.deadline.onData();
  return text;
}

/** On a timeout: the stream will end with the timeout's error event, and the upstream call and read stop now. */
function cutOffOnTimeout(pipe: SsePipe, reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const { deadline } = pipe;
  deadline.onExpire = () => {
    pipe.forwarder.timeout(deadline.message());
    pipe.cancelUpstream();
    // The pending read resolves (done) or rejects at once; either way the pipe ends with the timeout.
    reader.cancel().catch(() => undefined);
  };
}

const encoder = new TextEncoder();

/** Streams onto a Node response; resolves when the response has ended or the app has gone. */
export function pipeToNode(pipe: SsePipe, outgoing: ServerResponse, headers: Record<string, string>): Promise<void> {
  const { forwarder } = pipe;
  const reader = pipe.upstream.getReader();
  cutOffOnTimeout(pipe, reader);
  // `ended`: the upstream is over and finish is running or done; `gone`: the app left before that.
  let ended = false;
  let gone = false;
  const leave = () => {
    if (ended || gone || outgoing.writableFinished) return;
    gone = true;
    forwarder.outcome.cancelled = true;
    pipe.cancelUpstream();
    reader.cancel().catch(() => undefined);
    void pipe.finish(forwarder.outcome).catch(() => undefined);
  };
  // The app may have gone while the upstream's headers were awaited: its `close` has fired already.
  if (outgoing.destroyed) {
    leave();
    return Promise.resolve();
  }
  outgoing.writeHead(200, headers);
  outgoing.once("close", leave);
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        outgoing.off("drain", done);
        outgoing.off("close", done);
        resolve();
      };
      outgoing.once("drain", done);
      outgoing.once("close", done);
    });
  const run = async (): Promise<void> => {
    let failed = false;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        if (gone) return;
        failed = true;
        break;
      }
      if (gone) return;
      if (chunk.done) break;
      const text = feed(pipe, chunk.value);
      if (text.length > 0 && !outgoing.write(text)) {
        // While the app is not reading, neither is the gateway: the upstream's silence is not the upstream's.
        pipe.deadline.hold();
        await drained();
        pipe.deadline.release();
      }
      if (gone) return;
    }
    ended = true;
    const rest = forwarder.end(failed);
    const tail = await pipe.finish(forwarder.outcome);
    if (outgoing.destroyed) return;
    outgoing.end(rest + (tail ?? "") + forwarder.closing());
  };
  return run().catch((error: unknown) => {
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

/** The same stream as a web `ReadableStream` (the gateway called as `fetch`, without a socket). */
export function pipeToWeb(pipe: SsePipe): ReadableStream<Uint8Array> {
  const { forwarder } = pipe;
  const reader = pipe.upstream.getReader();
  cutOffOnTimeout(pipe, reader);
  let ended = false;
  const end = async (controller: ReadableStreamDefaultController<Uint8Array>, failed: boolean): Promise<void> => {
    ended = true;
    const rest = forwarder.end(failed);
    const tail = await pipe.finish(forwarder.outcome);
    controller.enqueue(encoder.encode(rest + (tail ?? "") + forwarder.closing()));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Between two pulls the consumer holds the stream, not the upstream: that time is not upstream silence.
      pipe.deadline.release();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          return end(controller, true);
        }
        if (chunk.done) return end(controller, false);
        const out = feed(pipe, chunk.value);
        if (out.length > 0) {
          controller.enqueue(typeof out === "string" ? encoder.encode(out) : out);
          pipe.deadline.hold();
          return;
        }
      }
    },
    async cancel() {
      if (ended) return;
      ended = true;
      forwarder.outcome.cancelled = true;
      pipe.cancelUpstream();
      reader.cancel().catch(() => undefined);
      await pipe.finish(forwarder.outcome).catch(() => undefined);
    },
  });
}
