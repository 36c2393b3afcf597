/**
 * The one "async iterable + final()" primitive: `EventChannel` (a producer pushes events; ChatStream),
 * `fromGenerator` (an async generator; structuredStream, runTools) and `deferred` (core/deferred.ts: an
 * implementation loaded on first use; the client's lazy verbs).
 */
import { InvalidArgumentError } from "./errors.js";

/** A read-once stream of events with the assembled result. */
export interface FinalIterable<E, R> extends AsyncIterable<E> {
  final(): Promise<R>;
}

/** Former name of `FinalIterable`, kept while callers move over. */
export type IterableWithFinal<E, R> = FinalIterable<E, R>;

/**
 * Wraps an async generator factory as a read-once stream with `final()`, on an `EventChannel`. Nothing runs
 * until the first `next()` or `final()`; `final()` after (or during) iteration resolves with the generator's
 * return value and rejects with its error. Breaking out of a loop early cancels the work (the generator's
 * `finally` blocks run before the loop exits) and `final()` then rejects, unless the result had already been
 * produced.
 *
 * @example
 * const stream = fromGenerator(async function* () { yield 1; return "done"; }, "demo()");
 */
export function fromGenerator<E, R>(
  factory: () => AsyncGenerator<E, R>,
  what: string,
  /** Picks the result out of a final event, so breaking out right after it still resolves `final()`. */
  resultOf?: (event: E) => R | undefined,
): FinalIterable<E, R> {
  return new GeneratorSource(factory, what, resultOf).channel;
}

/** Pulls one generator step per `pull()`. */
class GeneratorSource<E, R> implements ChannelSource {
  readonly channel: EventChannel<E, R>;
  #generator: AsyncGenerator<E, R> | undefined;
  #seen: { value: R } | undefined;
  readonly #factory: () => AsyncGenerator<E, R>;
  readonly #what: string;
  readonly #resultOf: ((event: E) => R | undefined) | undefined;

  constructor(factory: () => AsyncGenerator<E, R>, what: string, resultOf: ((event: E) => R | undefined) | undefined) {
    this.#factory = factory;
    this.#what = what;
    this.#resultOf = resultOf;
    this.channel = new EventChannel(what, this);
  }

  pull(): Promise<void> {
    const generator = (this.#generator ??= this.#factory());
    return generator.next().then(
      (r) => {
        if (r.done) {
          this.channel.end(r.value);
          return;
        }
        const result = this.#resultOf?.(r.value);
        if (result !== undefined) this.#seen = { value: result };
        this.channel.push(r.value);
      },
      (e: unknown) => this.channel.fail(e),
    );
  }

  async cancel(): Promise<void> {
    await this.#generator?.return(undefined as never).catch(() => undefined);
    if (this.#seen) this.channel.end(this.#seen.value);
    this.channel.fail(new InvalidArgumentError(`${this.#what}: iteration stopped before the end`));
  }
}

/** Former name of `fromGenerator`, kept while callers move over. */
export const iterableWithFinal = fromGenerator;

/** What an `EventChannel` asks of its producer. */
export interface ChannelSource {
  /**
   * The queue is empty and the consumer wants more: produce. Return a promise that settles after one unit of
   * work (one network read, say), or `undefined` when it produced (or ended the channel) synchronously.
   */
  pull(): Promise<void> | undefined;
  /**
   * The consumer left early (`break`): stop producing and end the channel (with `fail` unless the result is
   * known). A returned promise delays the end of the consumer's loop until the producer has stopped.
   */
  cancel(reason: unknown): Promise<void> | void;
}

const RESOLVED_DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

/**
 * A read-once async iterable with `final()`, fed by a producer: `push` events, then `end(result)` or
 * `fail(error)`. Read by an iterator (events kept) or by `final()` alone (the channel then pulls the producer
 * to the end itself and drops the events: `delivering` tells the producer not to build them).
 *
 * Hand-written rather than an async generator (a `yield` costs extra promise ticks per event), and a class
 * with a one-field iterator object (no closures per channel). A consumer waiting for data holds a pending promise,
 * never a suspended function frame.
 *
 * @example
 * const channel = new EventChannel<number, string>("Counter", { pull: () => { channel.push(1); channel.end("ok"); return undefined; }, cancel() {} });
 * for await (const n of channel) console.log(n); // 1
 * await channel.final(); // "ok"
 */
export class EventChannel<E, R> implements FinalIterable<E, R> {
  readonly #what: string;
  readonly #source: ChannelSource;
  /** Events not yet taken: `#queue[#head..#tail)`. Indices rather than shift, and the array is reused once empty. */
  readonly #queue: (E | undefined)[] = [];
  #head = 0;
  #tail = 0;
  /** Who reads: nobody yet, the iterator, or `final()` alone. */
  #consumer: 0 | 1 | 2 = 0;
  /** The iterator has taken an event. */
  #took = false;
  /** The iterator has ended (delivered the end, thrown, or been closed). */
  #finished = false;
  /** `final()` read on while nobody iterated, so an iterator would miss events. */
  #dropped = false;
  #settled = false;
  #result: R | undefined;
  #error: unknown;
  #failed = false;
  /** What `final()` returns; made on its first call, so a channel nobody awaits carries no promise for it. */
  #final: Promise<R> | undefined;
  #resolve: ((result: R) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(what: string, source: ChannelSource) {
    this.#what = what;
    this.#source = source;
  }

  /** An iterator reads: events are kept (otherwise the producer may skip building them and call `skip()`). */
  get delivering(): boolean {
    return this.#consumer === 1;
  }

  /** Events wait in the queue and the iterator has not taken its first one yet. */
  get firstWaiting(): boolean {
    return !this.#took && this.#head < this.#tail;
  }

  /** Events wait in the queue. */
  get hasQueued(): boolean {
    return this.#head < this.#tail;
  }

  get settled(): boolean {
    return this.#settled;
  }

  push(event: E): void {
    if (this.#consumer !== 1) {
      this.#dropped = true;
      return;
    }
    this.#queue[this.#tail++] = event;
  }

  /** An event was produced but not built, because nobody iterates. */
  skip(): void {
    this.#dropped = true;
  }

  end(result: R): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#result = result;
    this.#resolve?.(result);
    this.#resolve = this.#reject = undefined;
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#failed = true;
    this.#error = error;
    this.#reject?.(error);
    this.#resolve = this.#reject = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<E, undefined> {
    if (this.#consumer === 1) {
      throw new InvalidArgumentError(
        this.#finished
          ? `This ${this.#what} has already been consumed (its loop ended); a stream can be read only once: use final() for the result`
          : `This ${this.#what} is already being iterated; a stream can be read only once`,
      );
    }
    if (this.#consumer === 2 && this.#dropped) {
      throw new InvalidArgumentError(
        `final() has already consumed events of this ${this.#what} without keeping them; start iterating before awaiting final()`,
      );
    }
    this.#consumer = 1;
    return new ChannelIterator(this);
  }

  /** A queued event, else what the producer makes of one more pull, else the end. */
  next(): Promise<IteratorResult<E, undefined>> {
    for (;;) {
      if (this.#head < this.#tail) return Promise.resolve({ done: false, value: this.#shift() });
      if (this.#finished) return Promise.resolve(RESOLVED_DONE);
      if (this.#settled) {
        this.#finished = true;
        return this.#failed ? Promise.reject(this.#error) : Promise.resolve(RESOLVED_DONE);
      }
      const more = this.#source.pull();
      if (more !== undefined) return more.then(() => this.next());
    }
  }

  /** `break` or a throw in the caller's loop: the producer is cancelled unless the channel had already ended. */
  return(): Promise<IteratorResult<E, undefined>> {
    this.#finished = true;
    const stopped = this.#settled ? undefined : this.#source.cancel(undefined);
    return stopped ? stopped.then(() => RESOLVED_DONE) : Promise.resolve(RESOLVED_DONE);
  }

  /**
   * The result, or the error the channel failed with. Without an iterator it pulls the producer to the end
   * itself, keeping no events. Always settles once the producer ends the channel.
   */
  final(): Promise<R> {
    const settled = (this.#final ??= !this.#settled
      ? new Promise<R>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        })
      : this.#failed
        ? Promise.reject(this.#error)
        : Promise.resolve(this.#result as R));
    if (this.#consumer === 0 && !this.#settled) {
      this.#consumer = 2;
      // Nothing may escape as an unhandled rejection: a producer that throws ends the channel with its error.
      this.#drain().catch((e: unknown) => {
        this.fail(e);
        void Promise.resolve(this.#source.cancel(e)).catch(() => undefined);
      });
    }
    return settled;
  }

  async #drain(): Promise<void> {
    while (!this.#settled) await this.#source.pull();
  }

  #shift(): E {
    const i = this.#head++;
    this.#took = true;
    const event = this.#queue[i] as E;
    this.#queue[i] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return event;
  }
}

/** The iterator of an `EventChannel`: one small object, no closures. */
class ChannelIterator<E> implements AsyncIterableIterator<E, undefined> {
  readonly #channel: Required<Pick<AsyncIterator<E, undefined>, "next" | "return">>;

  constructor(channel: Required<Pick<AsyncIterator<E, undefined>, "next" | "return">>) {
    this.#channel = channel;
  }

  next(): Promise<IteratorResult<E, undefined>> {
    return this.#channel.next();
  }

  return(): Promise<IteratorResult<E, undefined>> {
    return this.#channel.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * An idle channel and iterator kept for the life of the module. V8 holds the hidden classes of class instances
 * only weakly: once no channel is alive, a full GC drops them and throws away every optimised function that
 * was specialised on them, so the next stream would start cold (see stream/keep-alive.ts).
 */
const KEEP_CHANNEL = new EventChannel<never, never>("", { pull: () => undefined, cancel() {} });
export const KEEP = [KEEP_CHANNEL, new ChannelIterator(KEEP_CHANNEL)];
