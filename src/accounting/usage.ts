/**
 * Session accounting: what a client has spent, in total and per model, and the budget guard.
 *
 * Money is accumulated as integer atto-dollars (`bigint`, 1e-18 USD; see cost.ts for why not micro-dollars or
 * floats), so a session of thousands of calls adds up to exactly the sum of the `usage.cost` values OpenRouter
 * sent. `costUsd` in a snapshot is that exact sum converted to a `number` once; `cost` is the exact decimal
 * string and `costMicros` the sum rounded to whole micro-dollars.
 */
import { BudgetExceededError, InvalidArgumentError, InvalidResponseError, isOpenRouterError } from "../core/errors.js";
import { attoToMicros, attoToUsd, formatAtto, toAtto, usageTokens } from "./cost.js";
import type { GenerationCost } from "./generation.js";
import type { ChatResult, Usage } from "../core/result.js";
import { plausibleCost, readReportedCost } from "../core/reported-cost.js";

/** Token and money totals (for the session or one model). */
export interface UsageTotals {
  /** Calls recorded (completed, estimated or pending). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Included in `completionTokens`. */
  reasoningTokens: number;
  /** Prompt tokens served from the provider's cache (included in `promptTokens`). */
  cachedTokens: number;
  /** Prompt tokens written to the provider's cache (included in `promptTokens`). */
  cacheWriteTokens: number;
  totalTokens: number;
  /** USD: OpenRouter's charges plus our estimates for calls still awaiting reconciliation. */
  costUsd: number;
  /** The same amount as an exact decimal string. */
  cost: string;
  /** The same amount rounded to whole micro-dollars (1e-6 USD). */
  costMicros: number;
  /** The part of `costUsd` that is our estimate, not OpenRouter's figure. */
  estimatedCostUsd: number;
  /** Calls whose cost is unknown or estimated (reconcilable when they have a generation id). */
  pendingRequests: number;
}

/** A call whose cost OpenRouter did not report (aborted, truncated or errored streams, estimates). */
export interface PendingEntry {
  generationId: string;
  model: string;
  usage: Usage | undefined;
  /** Our estimate while we wait for `/generation`, if one was made. */
  estimatedUsd: number | undefined;
}

/**
 * A point-in-time copy of the tracker; safe to keep, serialise or compare. `byModel` has no prototype, so any
 * model id (even `__proto__` or `constructor`) is an ordinary key.
 */
export interface UsageSnapshot extends UsageTotals {
  byModel: Record<string, UsageTotals>;
  pending: PendingEntry[];
  budgetUsd: number | undefined;
  /** `budgetUsd - costUsd - reservedUsd` (never below 0), when a budget is set. */
  remainingUsd: number | undefined;
  /** USD held by calls in flight (their worst case), not yet part of `costUsd`. */
  reservedUsd: number;
  /** Calls in flight holding a reservation. */
  reservations: number;
  /**
   * Reported costs refused as impossible (negative, not a number, absurdly large), from results and from
   * `/generation` lookups. They never moved a total; the calls stayed pending instead.
   */
  costAnomalies: number;
}

/**
 * The budget a call in flight holds: its worst-case cost, taken by {@link UsageTracker.reserve} and handed back
 * when the call is recorded ({@link UsageTracker.record}, {@link UsageTracker.recordFailure}) or released.
 */
export interface BudgetReservation {
  /** The model the call was priced for. */
  readonly model: string;
  /** USD held. */
  readonly usd: number;
  /** True until the reservation is settled or released. */
  readonly held: boolean;
  /** Gives the hold back unspent (the call never reached the server, or was refused). Idempotent. */
  release(): void;
}

/** The outcome of {@link UsageTracker.reconcile}. */
export interface ReconcileReport {
  /** Entries whose cost now comes from `/generation`. */
  reconciled: number;
  /** Lookups that failed; those entries stay pending for a later attempt. */
  failed: Array<{ generationId: string; error: unknown }>;
  /** Entries still pending. */
  remaining: number;
  /** How much the session total changed, USD (negative when estimates were too high). */
  adjustedUsd: number;
}

interface Acc {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  atto: bigint;
  estimatedAtto: bigint;
  pendingRequests: number;
}

/** One call's contribution to the totals. */
interface Contribution {
  model: string;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  atto: bigint;
  estimated: boolean;
  pending: boolean;
  /** The reported cost was refused (counted once per call in `costAnomalies`). */
  anomaly?: boolean;
}

interface PendingState {
  entry: PendingEntry;
  contribution: Contribution;
}

const emptyContribution = (model: string): Contribution => ({
  model,
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  atto: 0n,
  estimated: false,
  pending: false,
});

const emptyAcc = (): Acc => ({
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  atto: 0n,
  estimatedAtto: 0n,
  pendingRequests: 0,
});

function apply(acc: Acc, c: Contribution, sign: 1 | -1): void {
  const s = BigInt(sign);
  acc.requests += sign;
  acc.promptTokens += sign * c.promptTokens;
  acc.completionTokens += sign * c.completionTokens;
  acc.reasoningTokens += sign * c.reasoningTokens;
  acc.cachedTokens += sign * c.cachedTokens;
  acc.cacheWriteTokens += sign * c.cacheWriteTokens;
  acc.atto += s * c.atto;
  if (c.estimated) acc.estimatedAtto += s * c.atto;
  if (c.pending) acc.pendingRequests += sign;
}

function totalsOf(acc: Acc): UsageTotals {
  return {
    requests: acc.requests,
    promptTokens: acc.promptTokens,
    completionTokens: acc.completionTokens,
    reasoningTokens: acc.reasoningTokens,
    cachedTokens: acc.cachedTokens,
    cacheWriteTokens: acc.cacheWriteTokens,
    totalTokens: acc.promptTokens + acc.completionTokens,
    costUsd: attoToUsd(acc.atto),
    cost: formatAtto(acc.atto),
    costMicros: attoToMicros(acc.atto),
    estimatedCostUsd: attoToUsd(acc.estimatedAtto),
    pendingRequests: acc.pendingRequests,
  };
}

function checkBudget(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${where}: budgetUsd must be a non-negative number of USD; got ${String(value)}.`);
  }
  return value;
}

const usd = (atto: bigint): string => `$${formatAtto(atto)}`;

/** A reservation; its amount and owner are private so the handle itself is JSON-safe (no `bigint`). */
class Hold implements BudgetReservation {
  held = true;
  readonly usd: number;
  readonly #atto: bigint;
  readonly #owner: UsageTracker;
  readonly #onRelease: (atto: bigint) => void;
  constructor(readonly model: string, atto: bigint, owner: UsageTracker, onRelease: (atto: bigint) => void) {
    this.usd = attoToUsd(atto);
    this.#atto = atto;
    this.#owner = owner;
    this.#onRelease = onRelease;
  }
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.#onRelease(this.#atto);
  }
  /** Takes an open reservation of `owner` out of circulation: its amount, or `undefined`. */
  static claim(reservation: BudgetReservation | undefined, owner: UsageTracker): bigint | undefined {
    if (!(reservation instanceof Hold) || reservation.#owner !== owner || !reservation.held) return undefined;
    reservation.release();
    return reservation.#atto;
  }
}

const claim = Hold.claim;

/** Looks a generation's authoritative cost up (normally `client.generation`). */
export type GenerationLookup = (generationId: string) => Promise<GenerationCost>;

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
  #budgetAtto: bigint | undefined;
  #budgetUsd: number | undefined;
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
  #reservedAtto = 0n;
  #reservations = 0;
  #anomalies = 0;
  #auto: { lookup: GenerationLookup; delayMs: number } | undefined;
  #timers = new Map<string, { timer: ReturnType<typeof setTimeout>; done: () => void }>();
  #background = new Set<Promise<void>>();

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
      this.#auto = { lookup: auto.lookup, delayMs };
    }
  }

  /** Schedules the background lookup of a new pending entry (only with `autoReconcile`). */
  #schedule(id: string): void {
    const auto = this.#auto;
    if (!auto || this.#timers.has(id)) return;
    const work = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(id);
        this.#settle(id, auto.lookup).then(() => resolve(), () => resolve());
      }, auto.delayMs);
      // A pending lookup must not keep a Node process alive (no-op where timers are plain numbers).
      (timer as { unref?: () => void }).unref?.();
      this.#timers.set(id, { timer, done: resolve });
    });
    this.#background.add(work);
    void work.then(() => this.#background.delete(work));
  }

  /** Drops a scheduled background lookup that is no longer needed. */
  #cancel(id: string): void {
    const scheduled = this.#timers.get(id);
    if (!scheduled) return;
    clearTimeout(scheduled.timer);
    scheduled.done();
    this.#timers.delete(id);
  }

  /**
   * Resolves when every background lookup scheduled so far has finished (with `autoReconcile`).
   *
   * @example
   * await client.usage.settled();
   */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  /** The spending limit in USD, or `undefined` for none. Settable at any time. */
  get budgetUsd(): number | undefined {
    return this.#budgetUsd;
  }

  set budgetUsd(value: number | undefined) {
    this.#budgetUsd = checkBudget(value, "UsageTracker");
    this.#budgetAtto = this.#budgetUsd === undefined ? undefined : toAtto(this.#budgetUsd);
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
    const held = claim(reservation, this);
    const id = result.generationId ?? (result.id || undefined);
    const model = result.model || "unknown";
    const reportedUsd = plausibleCost(result.cost);
    const known = reportedUsd !== undefined;
    const estimated = known && result.costSource === "estimate";
    const holdAsEstimate = !known && held !== undefined;
    const tokens = usageTokens(result.usage);
    const contribution: Contribution = {
      model,
      promptTokens: tokens.promptTokens,
      completionTokens: tokens.completionTokens,
      reasoningTokens: tokens.reasoningTokens,
      cachedTokens: tokens.cachedTokens,
      cacheWriteTokens: tokens.cacheWriteTokens,
      atto: known ? toAtto(reportedUsd) : (held ?? 0n),
      estimated: estimated || holdAsEstimate,
      pending: (!known || estimated) && id !== undefined,
      anomaly: result.costAnomaly !== undefined || (!known && result.cost !== undefined && result.cost !== null),
    };
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
    this.#add(contribution);
    if (contribution.pending && id !== undefined) {
      this.#pending.set(id, {
        entry: {
          generationId: id,
          model,
          usage: result.usage,
          estimatedUsd: estimated ? reportedUsd : holdAsEstimate ? attoToUsd(held) : undefined,
        },
        contribution,
      });
      this.#schedule(id);
    }
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
    const held = claim(reservation, this);
    if (this.#pending.has(entry.generationId) || !this.#markSeen(entry.generationId)) return;
    const tokens = usageTokens(entry.usage);
    if (est === undefined && held !== undefined) est = attoToUsd(held);
    const contribution: Contribution = {
      model: entry.model || "unknown",
      promptTokens: tokens.promptTokens,
      completionTokens: tokens.completionTokens,
      reasoningTokens: tokens.reasoningTokens,
      cachedTokens: tokens.cachedTokens,
      cacheWriteTokens: tokens.cacheWriteTokens,
      atto: held !== undefined && entry.estimatedUsd === undefined ? held : est === undefined ? 0n : toAtto(est),
      estimated: est !== undefined,
      pending: true,
    };
    this.#add(contribution);
    this.#pending.set(entry.generationId, {
      entry: { generationId: entry.generationId, model: contribution.model, usage: entry.usage, estimatedUsd: est },
      contribution,
    });
    this.#schedule(entry.generationId);
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
    const budget = budgetUsd === undefined ? this.#budgetAtto : toAtto(checkBudget(budgetUsd, "assertBudget()") as number);
    if (budget === undefined) return;
    if (estimateUsd !== undefined && (typeof estimateUsd !== "number" || !Number.isFinite(estimateUsd) || estimateUsd < 0)) {
      throw new InvalidArgumentError(`assertBudget(): estimateUsd must be a non-negative number; got ${String(estimateUsd)}.`);
    }
    this.#check(model, budget, estimateUsd === undefined ? undefined : toAtto(estimateUsd));
  }

  /** Throws unless `est` (or, without one, anything at all) fits what the budget has left after spending and holds. */
  #check(model: string, budget: bigint, est: bigint | undefined): void {
    const spent = this.#total.atto;
    const reserved = this.#reservedAtto;
    const info = { model, metadata: { budgetUsd: attoToUsd(budget), spentUsd: attoToUsd(spent), ...(reserved > 0n && { reservedUsd: attoToUsd(reserved) }) } };
    if (spent >= budget) {
      throw new BudgetExceededError(
        `Budget of ${usd(budget)} is spent (${usd(spent)} used); not sending the request to ${model}.`,
        info,
      );
    }
    const left = budget - spent - reserved;
    const holds = reserved > 0n ? ` (${usd(reserved)} is held by ${this.#reservations} call${this.#reservations === 1 ? "" : "s"} in flight)` : "";
    if (est === undefined ? left <= 0n : est > left) {
      const l = left > 0n ? left : 0n;
      throw new BudgetExceededError(
        est === undefined
          ? `Nothing is left of the ${usd(budget)} budget for the call to ${model}${holds}; not sending it.`
          : `The call to ${model} could cost up to ${usd(est)}, more than the ${usd(l)} left of the ${usd(budget)} budget${holds}; not sending it.`,
        { ...info, metadata: { ...info.metadata, ...(est !== undefined && { estimateUsd: attoToUsd(est) }) } },
      );
    }
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
    const budget = budgetUsd === undefined ? this.#budgetAtto : toAtto(checkBudget(budgetUsd, "reserve()") as number);
    if (budget === undefined) return undefined;
    if (worstCaseUsd !== undefined && (typeof worstCaseUsd !== "number" || !Number.isFinite(worstCaseUsd) || worstCaseUsd < 0)) {
      throw new InvalidArgumentError(`reserve(): worstCaseUsd must be a non-negative number; got ${String(worstCaseUsd)}.`);
    }
    return this.reserveAtto(String(model), worstCaseUsd === undefined ? undefined : toAtto(worstCaseUsd), budget);
  }

  /** {@link reserve} in exact atto-dollars (the guards price calls in them). @internal */
  reserveAtto(model: string, worstCase: bigint | undefined, budget: bigint | undefined = this.#budgetAtto): BudgetReservation | undefined {
    if (budget === undefined) return undefined;
    this.#check(model, budget, worstCase);
    const amount = worstCase ?? budget - this.#total.atto - this.#reservedAtto;
    this.#reservedAtto += amount;
    this.#reservations++;
    return new Hold(model, amount, this, (atto) => {
      this.#reservedAtto -= atto;
      this.#reservations--;
    });
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
      const held = claim(reservation, this);
      if (held !== undefined) this.#add({ ...emptyContribution(model), atto: held, estimated: true });
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
    const remaining = this.#budgetAtto === undefined ? undefined : this.#budgetAtto - this.#total.atto - this.#reservedAtto;
    return {
      ...totalsOf(this.#total),
      byModel,
      pending: [...this.#pending.values()].map(({ entry }) => ({ ...entry })),
      budgetUsd: this.#budgetUsd,
      remainingUsd: remaining === undefined ? undefined : attoToUsd(remaining > 0n ? remaining : 0n),
      reservedUsd: attoToUsd(this.#reservedAtto),
      reservations: this.#reservations,
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
    for (const id of [...this.#timers.keys()]) this.#cancel(id);
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
    if (typeof lookup !== "function") throw new InvalidArgumentError("UsageTracker.reconcile() needs a lookup function (id => GenerationCost).");
    const concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(`reconcile(): concurrency must be a positive integer; got ${String(concurrency)}.`);
    }
    const ids = [...this.#pending.keys()];
    const report: ReconcileReport = { reconciled: 0, failed: [], remaining: 0, adjustedUsd: 0 };
    let adjusted = 0n;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const outcome = await this.#settle(id, lookup);
        if (outcome.kind === "failed") report.failed.push({ generationId: id, error: outcome.error });
        else if (outcome.kind === "settled") {
          adjusted += outcome.adjustment;
          report.reconciled++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    report.remaining = this.#pending.size;
    report.adjustedUsd = attoToUsd(adjusted);
    return report;
  }

  /** Looks one pending entry up and replaces its contribution with OpenRouter's figures. */
  async #settle(
    id: string,
    lookup: GenerationLookup,
  ): Promise<{ kind: "settled"; adjustment: bigint } | { kind: "failed"; error: unknown } | { kind: "gone" }> {
    let cost: GenerationCost;
    let atto: bigint;
    try {
      cost = await lookup(id);
      if (cost === null || typeof cost !== "object" || typeof cost.totalCost !== "number") {
        throw new InvalidArgumentError(`The generation lookup for ${id} did not return a GenerationCost.`);
      }
      const reported = readReportedCost(cost.totalCost);
      if (reported?.usd === undefined) {
        this.#anomalies++;
        throw new InvalidResponseError(`The generation lookup for ${id} reported an impossible cost (${reported?.anomaly?.reported}); the entry stays pending.`);
      }
      atto = typeof cost.totalCostExact === "string" ? toAtto(cost.totalCostExact) : toAtto(reported.usd);
    } catch (error) {
      return { kind: "failed", error };
    }
    const state = this.#pending.get(id);
    if (!state) return { kind: "gone" }; // recorded or reset meanwhile
    const old = state.contribution;
    const n = cost.nativeTokens ?? { prompt: undefined, completion: undefined, reasoning: undefined, cached: undefined };
    const hadUsage = state.entry.usage !== undefined;
    const settled: Contribution = {
      ...old,
      promptTokens: hadUsage ? old.promptTokens : (n.prompt ?? cost.tokens?.prompt ?? 0),
      completionTokens: hadUsage ? old.completionTokens : (n.completion ?? cost.tokens?.completion ?? 0),
      reasoningTokens: hadUsage ? old.reasoningTokens : (n.reasoning ?? 0),
      cachedTokens: hadUsage ? old.cachedTokens : (n.cached ?? 0),
      atto,
      estimated: false,
      pending: false,
    };
    this.#remove(old);
    this.#add(settled);
    this.#pending.delete(id);
    this.#cancel(id);
    return { kind: "settled", adjustment: settled.atto - old.atto };
  }
}
