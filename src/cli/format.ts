/**
 * Terminal formatting for the CLI: aligned plain-text tables, money, token counts. No colours in tables,
 * so the output pipes cleanly into `grep`, `sort` and `column`.
 */

/** A column of {@link table}. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Right-align (numbers). */
  right?: boolean;
  /** Longest cell before it is cut with "…" (default: unlimited). */
  max?: number;
}

function fit(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Renders rows as an aligned table with a header line; trailing spaces are trimmed.
 *
 * @example
 * table([{ id: "a", n: 1 }], [{ header: "ID", value: (r) => r.id }, { header: "N", value: (r) => String(r.n), right: true }]);
 * // "ID  N\na   1\n"
 */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => fit(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n") + "\n";
}

/**
 * Renders `label: value` pairs with the labels aligned; undefined values are left out.
 *
 * @example
 * keyValues([["model", "openai/gpt-4o"], ["cost", "$0.01"]]); // "model  openai/gpt-4o\ncost   $0.01\n"
 */
export function keyValues(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  const present = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined);
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

/**
 * US dollars with enough digits for sub-cent amounts.
 *
 * @example
 * usd(0.000123); // "$0.000123"
 * usd(12.5);     // "$12.50"
 */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  if (value === 0) return "$0";
  if (Math.abs(value) >= 0.01) return `$${value.toFixed(2)}`;
  // Three significant digits, written out in full (no exponent), trailing zeros dropped.
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(decimals).replace(/0+$/, "")}`;
}

/**
 * A per-token price (decimal string, USD) as USD per million tokens.
 *
 * @example
 * perMillion("0.00000015"); // "0.15"
 * perMillion("0");          // "free"
 * perMillion("-1");         // "varies"
 */
export function perMillion(price: string | undefined): string {
  if (price === undefined || price === "") return "-";
  const n = Number(price);
  if (!Number.isFinite(n)) return "-";
  if (n < 0) return "varies";
  if (n === 0) return "free";
  const m = n * 1_000_000;
  return m >= 100 ? m.toFixed(0) : m >= 1 ? String(Number(m.toFixed(2))) : String(Number(m.toPrecision(2)));
}

/**
 * A token count with thousands separators; context windows as "128K" / "1M".
 *
 * @example
 * tokens(1234);          // "1,234"
 * contextSize(128000);   // "128K"
 */
export function tokens(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en-US") : "-";
}

export function contextSize(n: number | null | undefined): string {
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) return "-";
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000_000) return `${Number((n / 1_000_000).toFixed(2))}M`;
  if (n >= 1000) return `${Number((n / 1000).toFixed(1))}K`;
  return String(n);
}
