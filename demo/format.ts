/**
 * Terminal formatting for the demo: headings, money, and a plain-text table. Colour only when the
 * output is a terminal and NO_COLOR is unset, so piped output (and the demo test) stays clean.
 */

const useColor = Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"];

function paint(code: string, text: string): string {
  return useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/**
 * ANSI styles (no-ops when not a terminal).
 *
 * @example
 * console.log(bold("Done."));
 */
export const bold = (t: string) => paint("1", t);
/** Dim text. @example dim("note") */
export const dim = (t: string) => paint("2", t);
/** Green text. @example green("ok") */
export const green = (t: string) => paint("32", t);
/** Yellow text. @example yellow("skipped") */
export const yellow = (t: string) => paint("33", t);
/** Cyan text. @example cyan("you:") */
export const cyan = (t: string) => paint("36", t);

/**
 * A section heading like `── 2. Streaming ─────`.
 *
 * @example
 * heading(2, "Streaming") // "\n── 2. Streaming ──…"
 */
export function heading(n: number, title: string): string {
  const text = `── ${n}. ${title} `;
  return `\n${bold(text + "─".repeat(Math.max(4, 60 - text.length)))}`;
}

/**
 * US dollars with enough digits for sub-cent LLM costs: `$0.0000162`.
 *
 * @example
 * usd(0.0000162) // "$0.0000162"
 */
export function usd(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return "n/a";
  if (value === 0) return "$0";
  const digits = Math.max(2, Math.min(10, Math.ceil(-Math.log10(Math.abs(value))) + 2));
  return `$${value.toFixed(digits).replace(/(\.\d*?[1-9])0+$/, "$1")}`;
}

/**
 * A plain-text table with a header rule; numbers right-aligned.
 *
 * @example
 * table(["model", "cost"], [["a", "$1"]])
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d$.,n/a-]*$/.test(r[i] ?? "")));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}
