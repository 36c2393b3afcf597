/**
 * Best-effort parsing of JSON that is still arriving. A model streaming a structured answer sends
 * `{"name":"Ad` before `a","tags":["x"`…; `parsePartialJson` returns what is known so far as if the open
 * strings, arrays and objects were closed: `{ name: "Ada", tags: ["x"] }`. Rules, chosen so a partial value
 * never shows something the final value will not contain:
 * - an unfinished string is closed where it stops (a dangling escape or half `\uXXXX` is dropped);
 * - a number touching the end of the text is held back (`1` may become `12`) until a delimiter follows;
 * - an unfinished `true`/`false`/`null` is dropped;
 * - an object key without its value yet (`{"a":1,"b` or `{"a":1,"b":`) is dropped.
 */

export interface PartialJsonResult {
  /** The value parsed so far (`undefined` when nothing usable has arrived yet). */
  value: unknown;
  /** True when the text is one complete JSON value (possibly followed by whitespace). */
  complete: boolean;
}

/** Returned by `value()` when the text ends before any usable part of the value. */
const END = Symbol("end");

class Parser {
  i = 0;
  /** Set when the text ended inside a value (an open string, array or object, or a cut-off number). */
  truncated = false;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i] as string)) this.i++;
  }

  atEnd(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }

  /** Parses one value; returns END when the input stops before any of it is usable. */
  value(): unknown {
    this.ws();
    if (this.i >= this.s.length) return END;
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string().value;
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      const rest = this.s.slice(this.i, this.i + word.length);
      if (rest === word) {
        this.i += word.length;
        return v;
      }
      if (word.startsWith(rest) && this.i + rest.length === this.s.length) {
        this.i = this.s.length;
        this.truncated = true;
        return END;
      }
    }
    throw new SyntaxError(`Unexpected character ${JSON.stringify(c)} at position ${this.i}`);
  }

  /** `done` is false when the string was cut off by the end of the text. */
  string(): { value: string; done: boolean } {
    this.i++; // opening quote
    let out = "";
    let start = this.i;
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '"') {
        out += s.slice(start, this.i);
        this.i++;
        return { value: out, done: true };
      }
      if (c === "\\") {
        out += s.slice(start, this.i);
        const e = s[this.i + 1];
        if (e === undefined) {
          this.i = s.length;
          this.truncated = true;
          return { value: out, done: false };
        }
        if (e === "u") {
          const hex = s.slice(this.i + 2, this.i + 6);
          if (hex.length < 4 && this.i + 2 + hex.length === s.length) {
            this.i = s.length;
            this.truncated = true;
            return { value: out, done: false };
          }
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError(`Bad unicode escape at position ${this.i}`);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          const map: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
          const ch = map[e];
          if (ch === undefined) throw new SyntaxError(`Bad escape \\${e} at position ${this.i}`);
          out += ch;
          this.i += 2;
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
    out += s.slice(start);
    this.truncated = true;
    // A lone high surrogate at the cut would become a broken character; hold it back until its pair arrives.
    if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
    return { value: out, done: false };
  }

  number(): unknown {
    const m = /^-?(0|[1-9]\d*)?(\.\d*)?([eE][+-]?\d*)?/.exec(this.s.slice(this.i));
    const text = m?.[0] ?? "";
    this.i += text.length;
    if (this.i < this.s.length) {
      // Not at the end: it must be a complete number.
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new SyntaxError(`Bad number at position ${this.i}`);
      return Number(text);
    }
    // At the end of the text a number may still grow ("1" before "12"), so it is not shown yet.
    this.truncated = true;
    return END;
  }

  array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    if (this.atEnd()) return this.cut(out);
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      const v = this.value();
      if (v === END) return this.cut(out);
      out.push(v);
      if (this.atEnd()) return this.cut(out);
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "]") {
        this.i++;
        return out;
      }
      throw new SyntaxError(`Expected , or ] at position ${this.i}`);
    }
  }

  object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    if (this.atEnd()) return this.cut(out);
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      if (this.atEnd()) return this.cut(out);
      if (this.s[this.i] !== '"') throw new SyntaxError(`Expected a property name at position ${this.i}`);
      const key = this.string();
      if (!key.done || this.atEnd()) return this.cut(out);
      if (this.s[this.i] !== ":") throw new SyntaxError(`Expected : at position ${this.i}`);
      this.i++;
      const v = this.value();
      if (v === END) return this.cut(out);
      define(out, key.value, v);
      if (this.atEnd()) return this.cut(out);
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return out;
      }
      throw new SyntaxError(`Expected , or } at position ${this.i}`);
    }
  }

  /** The text ended inside this container: hand back what was built, marked as incomplete. */
  cut<T>(value: T): T {
    this.truncated = true;
    return value;
  }
}

/** `__proto__` as a JSON key must become a plain property, as JSON.parse does, not a prototype change. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Parses JSON that may be cut off anywhere. Throws `SyntaxError` only for text that can never become valid
 * JSON (so a caller can stop trying); returns `{ value: undefined, complete: false }` for an empty prefix.
 *
 * @example
 * parsePartialJson('{"name":"Ad');           // { value: { name: "Ad" }, complete: false }
 * parsePartialJson('{"tags":["a","b"],"n":'); // { value: { tags: ["a", "b"] }, complete: false }
 * parsePartialJson('[1, 2]');                 // { value: [1, 2], complete: true }
 */
export function parsePartialJson(text: string): PartialJsonResult {
  const p = new Parser(text);
  const root = p.value();
  if (root === END) return { value: undefined, complete: false };
  if (!p.atEnd()) throw new SyntaxError(`Unexpected text after the JSON value at position ${p.i}`);
  return { value: root, complete: !p.truncated };
}
