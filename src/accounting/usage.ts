/**
 * Session accounting: what a client has spent, in total and per model, and the budget guard.
 *
 * The accounting/ layer owns routing, money, cost, usage, budget, reconciliation, the model catalogue, token
 * estimates and the pre-send guards. It may import core/ and internal/ (stream/ too by rank; nothing needs
 * it), never agents/, client.ts or above. UsageTracker is the ledger; the budget (budget.ts) and
 * reconciliation (reconcile.ts) are separate modules it delegates to, over the arithmetic of usage-totals.ts.
 *
 * Money is accumulated as integer atto-dollars (`bigint`, 1e-18 USD; see money.ts for why not micro-dollars or
 * floats), so a session of thousands of calls adds up to exactly the sum of the `usage.cost` values OpenRouter
 * sent. `costUsd` in a snapshot is that exact sum converted to a `number` once; `cost` is the exact decimal
 * string and `costMicros` the sum rounded to whole micro-dollars.
 */
import { InvalidArgumentError, isOpenRouterError } from "../core/errors.js";
import type { ChatResult, Usage } from "../core/result.js";
import { plausibleCost } from "../core/plausible-cost.js";
import { attoToUsd, toAtto } from "./money.js";
import { type BudgetReservation, Budget } from "./budget.js";
import type { GenerationLookup, Ledger, ReconcileReport } from "./reconcile.js";
import { BackgroundLookups, reconcileCode } from "./background-lookups.js";
import { type Acc, type Contribution, type PendingEntry, type PendingState, type UsageSnapshot, type UsageTotals, apply, contributionOf, emptyAcc, totalsOf } from "./usage-totals.js";

// The ledger's types live with their code (usage-totals, budget, reconcile); re-exported for the client and index.
export type { BudgetReservation, GenerationLookup, ReconcileReport, UsageSnapshot, UsageTotals };
export type { PendingEntry } from "./usage-totals.js";

export interface UsageTrackerOptions {
  /** Spending limit in USD; see {@link UsageTracker.assertBudget}. */
  budgetUsd?: number | undefined;
  /**
   * Opt-in automatic reconciliation: each new pending entry is looked up in the background `delayMs` after it
   * is recorded (default 2000 ms; `/generation` needs a moment). Failures leave the entry pending.
   */
  autoReconcile?: { lookup: GenerationLookup; delayMs?: number | undefined } | undefined;
}

// Generation ids already counted, so a result recorded twice (by the client and by the caller) counts once.
const SEEN_LIMIT = 10_000;

/**
 * Totals and a per-model breakdown of requests, tokens and cost for every call a client makes (plain and
 * streamed alike), plus the optional budget guard. `client.usage` is one of these.
 *
 * @example
 * const client = new OpenRouter({ budgetUsd: 5 });
 * await client.chat({ model: "openai/gpt-4o-mini", messages });
 * const { requests, costUsd, byModel } = client.usage.snapshot();
 */
export class UsageTracker {
  readonly #budget = new Budget();
  #total: Acc = emptyAcc();
  #byModel = new Map<string, Acc>();
  #pending = new Map<string, PendingState>();
  #seen = new Set<string>();
  /**
   * The same ids in arrival order, as a ring: evicting the oldest is an index, not `seen.values().next()`,
   * which walks past every deleted slot of the Set and made each record O(n) on a busy client.
   */
  #seenOrder: string[] = [];
  #seenNext = 0;
  #anomalies = 0;
  #auto: BackgroundLookups | undefined;
  /** What reconciliation may change here; built once per tracker. */
  readonly #ledger: Ledger = {
    pending: this.#pending,
    add: (c) => this.#add(c),
    remove: (c) => this.#remove(c),
    cancel: (id) => this.#cancel(id),
    countAnomaly: () => {
      this.#anomalies++;
    },
  };

  constructor(opts: UsageTrackerOptions = {}) {
    if (opts === null || typeof opts !== "object") throw new InvalidArgumentError("new UsageTracker(opts): opts must be an object.");
    this.budgetUsd = opts.budgetUsd;
    const auto = opts.autoReconcile;
    if (auto !== undefined) {
      if (auto === null || typeof auto !== "object" || typeof auto.lookup !== "function") {
        throw new InvalidArgumentError("UsageTracker autoReconcile needs { lookup: (id) => Promise<GenerationCost> }.");
      }
      const delayMs = auto.delayMs ?? 2000;
      if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
        throw new InvalidArgumentError(`UsageTracker autoReconcile.delayMs must be a non-negative number; got ${String(delayMs)}.`);
      }
      this.#auto = new BackgroundLookups(auto.lookup, delayMs, this.#ledger);
    }
  }

  /** Schedules the background lookup of a new pending entry (only with `autoReconcile`). */
  #schedule(id: string): void {
    this.#auto?.schedule(id);
  }

  /** Drops a scheduled background lookup that is no longer needed. */
  #cancel(id: string): void {
    this.#auto?.cancel(id);
  }

  /**
   * Resolves when every background lookup scheduled so far has finished (with `autoReconcile`).
   *
   * @example
   * await client.usage.settled();
   */
  async settled(): Promise<void> {
    if (this.#auto) await this.#auto.settled();
  }

  /** The spending limit in USD, or `undefined` for none. Settable at any time. */
  get budgetUsd(): number | undefined {
    return this.#budget.usd;
  }

  set budgetUsd(value: number | undefined) {
    this.#budget.set(value, "UsageTracker");
  }

  /** Spent so far in USD (including estimates awaiting reconciliation). */
  get spentUsd(): number {
    return attoToUsd(this.#total.atto);
  }

  #add(c: Contribution): void {
    apply(this.#total, c, 1);
    let acc = this.#byModel.get(c.model);
    if (!acc) this.#byModel.set(c.model, (acc = emptyAcc()));
    apply(acc, c, 1);
  }

  #remove(c: Contribution): void {
    apply(this.#total, c, -1);
    const acc = this.#byModel.get(c.model);
    if (acc) {
      apply(acc, c, -1);
      if (acc.requests === 0) this.#byModel.delete(c.model);
    }
  }

  #markSeen(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    if (this.#seenOrder.length < SEEN_LIMIT) {
      this.#seenOrder.push(id);
    } else {
      this.#seen.delete(this.#seenOrder[this.#seenNext] as string);
      this.#seenOrder[this.#seenNext] = id;
      this.#seenNext = (this.#seenNext + 1) % SEEN_LIMIT;
    }
    return true;
  }

  /**
   * Records a finished call. A result carrying OpenRouter's cost (`costSource` "usage" or "header") is final;
   * an estimated or missing cost is also kept as pending (when the result has a generation id), for
   * {@link reconcile} to settle from `/generation`. A result whose generation id was already recorded is
   * ignored; a pending entry with that id is replaced by the result.
   *
   * A cost that cannot be right (negative, not a number, absurdly large; see `costAnomaly`) never moves the
   * totals: the call counts as one whose cost is unknown, and `costAnomalies` goes up.
   *
   * With the call's `reservation`: a known cost replaces the hold; an unknown one keeps the hold as the call's
   * estimate (pending until reconciled, when it has a generation id), so the budget never counts it as free.
   *
   * @example
   * tracker.record(await client.chat(params)); // the client does this for you on client.usage
   */
  record(result: ChatResult, reservation?: BudgetReservation): void {
    if (result === null || typeof result !== "object") {
      reservation?.release();
      throw new InvalidArgumentError("UsageTracker.record() expects a ChatResult.");
    }
    const held = this.#budget.claim(reservation);
    const id = result.generationId ?? (result.id || undefined);
    const model = result.model || "unknown";
    const reportedUsd = plausibleCost(result.cost);
    const known = reportedUsd !== undefined;
    const estimated = known && result.costSource === "estimate";
    const holdAsEstimate = !known && held !== undefined;
    const contribution = contributionOf(
      model,
      result.usage,
      known ? toAtto(reportedUsd) : (held ?? 0n),
      estimated || holdAsEstimate,
      (!known || estimated) && id !== undefined,
      result.costAnomaly !== undefined || (!known && result.cost !== undefined && result.cost !== null),
    );
    if (id !== undefined) {
      const pending = this.#pending.get(id);
      if (pending) {
        // The final result of a call first recorded as pending (e.g. a stream's usage arriving late).
        if (pending.contribution.anomaly) this.#anomalies--;
        this.#remove(pending.contribution);
        this.#pending.delete(id);
        this.#cancel(id);
      } else if (!this.#markSeen(id)) {
        return;
      }
    }
    if (contribution.anomaly) this.#anomalies++;
    this.#count(
      contribution,
      contribution.pending && id !== undefined
        ? { generationId: id, model, usage: result.usage, estimatedUsd: estimated ? reportedUsd : holdAsEstimate ? attoToUsd(held) : undefined }
        : undefined,
    );
  }

  /** Adds a call to the totals and, when it awaits its cost, to the pending entries (and their lookups). */
  #count(contribution: Contribution, pending: PendingEntry | undefined): void {
    this.#add(contribution);
    if (pending === undefined) return;
    this.#pending.set(pending.generationId, { entry: pending, contribution });
    this.#schedule(pending.generationId);
  }

  /**
   * Records a call that ended without a cost (an aborted or truncated stream): it counts as a request with
   * whatever usage is known, and stays pending until {@link reconcile} finds its cost. With the call's
   * `reservation` (and no `estimatedUsd`), the hold becomes the entry's estimate until then.
   *
   * @example
   * tracker.recordPending({ generationId: "gen-123", model: "openai/gpt-4o-mini" });
   */
  recordPending(
    entry: { generationId: string; model: string; usage?: Usage | undefined; estimatedUsd?: number | undefined },
    reservation?: BudgetReservation,
  ): void {
    if (entry === null || typeof entry !== "object" || typeof entry.generationId !== "string" || entry.generationId === "") {
      reservation?.release();
      throw new InvalidArgumentError("UsageTracker.recordPending() needs { generationId, model }.");
    }
    if (typeof entry.model !== "string") {
      reservation?.release();
      throw new InvalidArgumentError("UsageTracker.recordPending(): model must be a string.");
    }
    let est = entry.estimatedUsd;
    if (est !== undefined && (typeof est !== "number" || !Number.isFinite(est) || est < 0)) {
      reservation?.release();
      throw new InvalidArgumentError(`UsageTracker.recordPending(): estimatedUsd must be a non-negative number; got ${String(est)}.`);
    }
    const held = this.#budget.claim(reservation);
    if (this.#pending.has(entry.generationId) || !this.#markSeen(entry.generationId)) return;
    if (est === undefined && held !== undefined) est = attoToUsd(held);
    const model = entry.model || "unknown";
    const atto = held !== undefined && entry.estimatedUsd === undefined ? held : est === undefined ? 0n : toAtto(est);
    this.#count(contributionOf(model, entry.usage, atto, est !== undefined, true), {
      generationId: entry.generationId,
      model,
      usage: entry.usage,
      estimatedUsd: est,
    });
  }

  /**
   * The budget guard, called before sending: throws `BudgetExceededError` once the budget is spent, or when
   * `estimateUsd` (a worst case, see `estimateCost`) would take the session over it. Does nothing without a
   * budget. Calls in flight are not reserved: two concurrent calls can both pass and together overrun.
   *
   * @example
   * tracker.assertBudget("openai/gpt-4o", estimateCost(params, model).worstCaseUsd);
   */
  assertBudget(model: string, estimateUsd?: number, budgetUsd?: number): void {
    this.#budget.assert(this.#total.atto, model, estimateUsd, budgetUsd);
  }

  /**
   * Checks and takes, in one synchronous step, a hold of the call's worst-case cost on the budget, so that
   * concurrent calls cannot all pass the check: spent + held never exceeds the budget. Throws
   * `BudgetExceededError` when the worst case does not fit what is left. Without a known worst case (a router,
   * a model the catalogue does not price), the call holds everything that is left, so it runs alone.
   * Returns `undefined` when no budget is set. Settle the hold with {@link record}, {@link recordPending} or
   * {@link recordFailure}, or {@link BudgetReservation.release} it.
   *
   * @example
   * const hold = tracker.reserve("openai/gpt-4o-mini", estimate.worstCaseUsd);
   * try { tracker.record(await send(), hold); } catch (e) { tracker.recordFailure(e, { reservation: hold }); throw e; }
   */
  reserve(model: string, worstCaseUsd?: number, budgetUsd?: number): BudgetReservation | undefined {
    return this.#budget.reserve(this.#total.atto, model, worstCaseUsd, budgetUsd);
  }

  /** {@link reserve} in exact atto-dollars (the guards price calls in them). @internal */
  reserveAtto(model: string, worstCase: bigint | undefined, budget: bigint | undefined = this.#budget.atto): BudgetReservation | undefined {
    return this.#budget.reserveAtto(this.#total.atto, model, worstCase, budget);
  }

  /**
   * Records a call that failed. Only a call the server accepted (a 2xx arrived: `accepted`) may have been
   * billed: its usage is recorded (from `error.partial`) or, with a generation id, left pending for
   * {@link reconcile} with the reservation as its estimate; without an id its reservation stays counted as an
   * estimate, since nothing could settle it. A call that never reached the server, or was refused, hands its
   * reservation back (a refused call with a generation id is still left pending at no cost, for `reconcile`).
   *
   * @example
   * try { … } catch (e) { client.usage.recordFailure(e, { model, reservation, accepted: true }); throw e; }
   */
  recordFailure(error: unknown, opts: { model?: string | undefined; reservation?: BudgetReservation | undefined; accepted?: boolean | undefined } = {}): void {
    const e = isOpenRouterError(error) ? error : undefined;
    const reservation = opts.accepted ? opts.reservation : (opts.reservation?.release(), undefined);
    const partial = e?.partial;
    const id = e?.generationId || partial?.generationId || undefined;
    const model = partial?.model || e?.model || opts.model || "unknown";
    if (id === undefined) {
      const held = this.#budget.claim(reservation);
      if (held !== undefined) this.#add(contributionOf(model, undefined, held, true, false));
      return;
    }
    if (partial?.usage && plausibleCost(partial.cost) !== undefined) {
      this.record(partial, reservation);
      return;
    }
    this.recordPending({ generationId: id, model, ...(partial?.usage && { usage: partial.usage }) }, reservation);
  }

  /**
   * A copy of the totals, the per-model breakdown and the pending entries.
   *
   * @example
   * const { costUsd, byModel } = client.usage.snapshot();
   * console.table(byModel);
   */
  snapshot(): UsageSnapshot {
    // No prototype: a model id such as "__proto__" is a key like any other, not a setter.
    const byModel = Object.create(null) as Record<string, UsageTotals>;
    for (const [model, acc] of [...this.#byModel].sort(([a], [b]) => a.localeCompare(b))) byModel[model] = totalsOf(acc);
    const budget = this.#budget;
    const remaining = budget.atto === undefined ? undefined : budget.atto - this.#total.atto - budget.reservedAtto;
    return {
      ...totalsOf(this.#total),
      byModel,
      pending: [...this.#pending.values()].map(({ entry }) => ({ ...entry })),
      budgetUsd: budget.usd,
      remainingUsd: remaining === undefined ? undefined : attoToUsd(remaining > 0n ? remaining : 0n),
      reservedUsd: attoToUsd(budget.reservedAtto),
      reservations: budget.reservations,
      costAnomalies: this.#anomalies,
    };
  }

  /**
   * Forgets every recorded call (the budget, and the holds of calls still in flight, stay).
   *
   * @example
   * client.usage.reset();
   */
  reset(): void {
    this.#total = emptyAcc();
    this.#byModel.clear();
    this.#pending.clear();
    this.#seen.clear();
    this.#seenOrder = [];
    this.#seenNext = 0;
    this.#anomalies = 0;
    this.#auto?.cancelAll();
  }

  /**
   * Settles pending entries from `/generation`: each entry's estimate (or zero) is replaced by OpenRouter's
   * `total_cost`, and missing token counts are filled from the native counts. Failed lookups stay pending.
   *
   * @example
   * const report = await client.usage.reconcile((id) => client.generation(id));
   * console.log(report.reconciled, report.adjustedUsd);
   */
  async reconcile(lookup: GenerationLookup, opts: { concurrency?: number } = {}): Promise<ReconcileReport> {
    // Loaded on first use: most clients never reconcile, so the lookup code stays out of the core bundle.
    const { reconcilePending } = reconcileCode.value ?? (await reconcileCode());
    return reconcilePending(this.#ledger, lookup, opts);
  }
}
