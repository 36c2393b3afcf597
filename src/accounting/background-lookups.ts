/**
 * The background lookups of `autoReconcile`: a timer per new pending entry. Loaded with the ledger (usage.ts);
 * the lookup and settling code (reconcile.ts) is loaded with `import()` when the first timer fires.
 */
import { lazy } from "../core/load.js";
import type { GenerationLookup, Ledger } from "./reconcile.js";

/** The reconciliation code, loaded once on first use (also by `UsageTracker.reconcile`). */
export const reconcileCode = /* @__PURE__ */ lazy("the usage reconciliation", () => import("./reconcile.js"));

/** The background lookups of `autoReconcile`: one timer per new pending entry, `delayMs` after it is recorded. */
export class BackgroundLookups {
  readonly #timers = new Map<string, { timer: ReturnType<typeof setTimeout>; done: () => void }>();
  readonly #background = new Set<Promise<void>>();

  constructor(
    readonly lookup: GenerationLookup,
    readonly delayMs: number,
    readonly ledger: Ledger,
  ) {}

  /** Schedules the background lookup of a new pending entry. */
  schedule(id: string): void {
    if (this.#timers.has(id)) return;
    const work = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(id);
        // The settling code (reconcile.ts) is loaded on the first lookup, not with every client.
        reconcileCode().then(({ settle }) => settle(this.ledger, id, this.lookup)).then(() => resolve(), () => resolve());
      }, this.delayMs);
      // A pending lookup must not keep a Node process alive (no-op where timers are plain numbers).
      (timer as { unref?: () => void }).unref?.();
      this.#timers.set(id, { timer, done: resolve });
    });
    this.#background.add(work);
    void work.then(() => this.#background.delete(work));
  }

  /** Drops a scheduled background lookup that is no longer needed. */
  cancel(id: string): void {
    const scheduled = this.#timers.get(id);
    if (!scheduled) return;
    clearTimeout(scheduled.timer);
    scheduled.done();
    this.#timers.delete(id);
  }

  cancelAll(): void {
    for (const id of [...this.#timers.keys()]) this.cancel(id);
  }

  /** Resolves when every lookup scheduled so far has finished. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }
}
