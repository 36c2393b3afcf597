/**
 * The budget guard of a `UsageTracker`: the limit, the holds of calls in flight, and the check that
 * spent + held never passes the limit. Synchronous and allocation-free when no budget is set (the hot path);
 * never imports usage.ts: the tracker hands in what it has spent.
 */
import { BudgetExceededError, InvalidArgumentError } from "../core/errors.js";
import { attoToUsd, toAtto } from "./money.js";
import { usd } from "./usage-totals.js";

/**
 * The budget a call in flight holds: its worst-case cost, taken by `UsageTracker.reserve` and handed back
 * when the call is recorded (`UsageTracker.record`, `UsageTracker.recordFailure`) or released.
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

export function checkBudget(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${where}: budgetUsd must be a non-negative number of USD; got ${String(value)}.`);
  }
  return value;
}

/** A reservation; its amount and owner are private so the handle itself is JSON-safe (no `bigint`). */
class Hold implements BudgetReservation {
  held = true;
  readonly usd: number;
  readonly #atto: bigint;
  readonly #owner: Budget;
  readonly #onRelease: (atto: bigint) => void;
  constructor(readonly model: string, atto: bigint, owner: Budget, onRelease: (atto: bigint) => void) {
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
  static claim(reservation: BudgetReservation | undefined, owner: Budget): bigint | undefined {
    if (!(reservation instanceof Hold) || reservation.#owner !== owner || !reservation.held) return undefined;
    reservation.release();
    return reservation.#atto;
  }
}


/**
 * The limit and the holds. `spent` is always the tracker's current total, passed in, so this class keeps no
 * copy of the ledger.
 */
export class Budget {
  #budgetAtto: bigint | undefined;
  #budgetUsd: number | undefined;
  #reservedAtto = 0n;
  #reservations = 0;

  get usd(): number | undefined {
    return this.#budgetUsd;
  }

  get atto(): bigint | undefined {
    return this.#budgetAtto;
  }

  get reservedAtto(): bigint {
    return this.#reservedAtto;
  }

  get reservations(): number {
    return this.#reservations;
  }

  set(value: number | undefined, where: string): void {
    this.#budgetUsd = checkBudget(value, where);
    this.#budgetAtto = this.#budgetUsd === undefined ? undefined : toAtto(this.#budgetUsd);
  }

  /** Takes an open reservation of this budget out of circulation: its amount, or `undefined`. */
  claim(reservation: BudgetReservation | undefined): bigint | undefined {
    return Hold.claim(reservation, this);
  }

  /** `UsageTracker.assertBudget`. */
  assert(spent: bigint, model: string, estimateUsd?: number, budgetUsd?: number): void {
    const budget = budgetUsd === undefined ? this.#budgetAtto : toAtto(checkBudget(budgetUsd, "assertBudget()") as number);
    if (budget === undefined) return;
    if (estimateUsd !== undefined && (typeof estimateUsd !== "number" || !Number.isFinite(estimateUsd) || estimateUsd < 0)) {
      throw new InvalidArgumentError(`assertBudget(): estimateUsd must be a non-negative number; got ${String(estimateUsd)}.`);
    }
    this.#check(spent, model, budget, estimateUsd === undefined ? undefined : toAtto(estimateUsd));
  }

  /** Throws unless `est` (or, without one, anything at all) fits what the budget has left after spending and holds. */
  #check(spent: bigint, model: string, budget: bigint, est: bigint | undefined): void {
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

  /** `UsageTracker.reserve`. */
  reserve(spent: bigint, model: string, worstCaseUsd?: number, budgetUsd?: number): BudgetReservation | undefined {
    const budget = budgetUsd === undefined ? this.#budgetAtto : toAtto(checkBudget(budgetUsd, "reserve()") as number);
    if (budget === undefined) return undefined;
    if (worstCaseUsd !== undefined && (typeof worstCaseUsd !== "number" || !Number.isFinite(worstCaseUsd) || worstCaseUsd < 0)) {
      throw new InvalidArgumentError(`reserve(): worstCaseUsd must be a non-negative number; got ${String(worstCaseUsd)}.`);
    }
    return this.reserveAtto(spent, String(model), worstCaseUsd === undefined ? undefined : toAtto(worstCaseUsd), budget);
  }

  /** Checks and takes the hold in one synchronous step (see `UsageTracker.reserve`). */
  reserveAtto(spent: bigint, model: string, worstCase: bigint | undefined, budget: bigint | undefined): BudgetReservation | undefined {
    if (budget === undefined) return undefined;
    this.#check(spent, model, budget, worstCase);
    const amount = worstCase ?? budget - spent - this.#reservedAtto;
    this.#reservedAtto += amount;
    this.#reservations++;
    return new Hold(model, amount, this, (atto) => {
      this.#reservedAtto -= atto;
      this.#reservations--;
    });
  }
}
