/**
 * The resilience layer as the client holds it: its settings are checked at once (a bad option fails in the
 * constructor), and the run loop (run.ts, with the breaker, the limiters, the fallback rules and the report
 * of a call) is loaded with `import()` on the first call. From then on every call goes straight to it: a
 * first-time success pays no extra `await`.
 */
import { lazy } from "../load.js";
import { type ResilienceConfig, checkResilienceConfig, checked } from "./config.js";
import type { Resilience } from "./run.js";

const runLoop = /* @__PURE__ */ lazy("the retry loop", () => import("./run.js"));

/**
 * A client's `Resilience`, loaded on first use. `circuit` and `limiter` are `undefined` until the first call.
 *
 * @example
 * const resilience = lazyResilience({ retry: { maxRetries: 3 } }); // throws InvalidArgumentError for bad options
 * const { value } = await resilience.run(call, { signal }, (req) => attemptOnce(req));
 */
export function lazyResilience(config: ResilienceConfig = {}): Resilience {
  checked(() => checkResilienceConfig(config));
  let loaded: Resilience | undefined;
  return {
    run(req, call, attempt) {
      if (loaded) return loaded.run(req, call, attempt);
      return runLoop().then((m) => (loaded ??= m.createResilience(config)).run(req, call, attempt));
    },
    get circuit() {
      return loaded?.circuit;
    },
    get limiter() {
      return loaded?.limiter;
    },
  };
}
