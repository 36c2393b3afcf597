/**
 * Prometheus metrics (prom-client) on a registry of the gateway's own, so several gateways in one process do
 * not share counters. Labels are model and status only: never a key or anything from a prompt.
 */
import { Counter, Histogram, Registry } from "prom-client";

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: "gateway_requests_total", help: "Requests forwarded upstream, by model and status.", labelNames: ["model", "status"], registers: [this.registry] });
  readonly tokens = new Counter({ name: "gateway_tokens_total", help: "Tokens used, by model and kind (prompt, completion).", labelNames: ["model", "kind"], registers: [this.registry] });
  readonly cost = new Counter({ name: "gateway_cost_usd_total", help: "Cost in USD, by model.", labelNames: ["model"], registers: [this.registry] });
  readonly latency = new Histogram({
    name: "gateway_request_duration_seconds",
    help: "Request latency (streams: until the last event), by model and status.",
    labelNames: ["model", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({ name: "gateway_upstream_errors_total", help: "Upstream failures by kind.", labelNames: ["kind"], registers: [this.registry] });
  readonly rejected = new Counter({ name: "gateway_rejected_total", help: "Requests refused by the gateway before any upstream call, by status.", labelNames: ["status"], registers: [this.registry] });
  readonly rateLimited = new Counter({ name: "gateway_rate_limited_total", help: "Requests refused by a key's rpm or tpm limit.", labelNames: ["limit"], registers: [this.registry] });
  readonly budgetRefused = new Counter({ name: "gateway_budget_refused_total", help: "Requests refused because the key's budget could not cover them.", registers: [this.registry] });

  observe(model: string, status: number, latencyMs: number, costUsd: number, promptTokens: number, completionTokens: number): void {
    const labels = { model, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, latencyMs / 1000);
    if (costUsd > 0) this.cost.inc({ model }, costUsd);
    if (promptTokens > 0) this.tokens.inc({ model, kind: "prompt" }, promptTokens);
    if (completionTokens > 0) this.tokens.inc({ model, kind: "completion" }, completionTokens);
  }
}
