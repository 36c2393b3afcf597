/**
 * The `data:` payloads of the first network read that arrived while the iterator still had an event to take.
 * They are folded in as it pulls, so the first event reaches the caller without waiting for the rest of the
 * read to be parsed (time to first token). Made only when needed, and dropped once drained.
 */
export class FirstRead {
  private readonly items: string[] = [];
  private head = 0;
  /** Index from which payloads came from the end-of-body flush (a possibly cut-off last event). */
  private tailFrom = -1;
  /** The payload `take()` returned came from the end-of-body flush. */
  lastWasTail = false;

  get waiting(): boolean {
    return this.head < this.items.length;
  }

  add(data: string, ending: boolean): void {
    if (ending && this.tailFrom < 0) this.tailFrom = this.items.length;
    this.items.push(data);
  }

  take(): string {
    const i = this.head++;
    const data = this.items[i] as string;
    this.items[i] = "";
    this.lastWasTail = this.tailFrom >= 0 && i >= this.tailFrom;
    return data;
  }
}

/** An idle instance kept for the life of the module, so V8 keeps this class's hidden class (see stream/keep-alive.ts). */
export const KEEP = new FirstRead();
