/**
 * Finds the fenced code blocks of a Markdown file, so the docs test can compile every TypeScript example as
 * a user would paste it. Only CommonMark fences are recognised (``` or ~~~, at most three spaces of indent,
 * closed by the same character at least as long); an indented code block is never an example here.
 *
 * A block may opt out of the check with an HTML comment on the line just before its fence, which must say
 * why: `<!-- no-check: a layout sketch, not code -->`. The reason is there so an opt-out cannot silently hide
 * a real error.
 */

export interface CodeBlock {
  /** The first word of the fence's info string, lower-cased ("ts", "sh", "" when none). */
  lang: string;
  /** 1-based line of the opening fence; the block's first code line is `fenceLine + 1`. */
  fenceLine: number;
  code: string;
  /** The reason given in a `<!-- no-check: … -->` comment before the fence, if any. */
  noCheck: string | undefined;
}

const OPEN = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const NO_CHECK = /^\s*<!--\s*no-check\s*(?::\s*(.*?))?\s*-->\s*$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? "");
    if (!open) continue;
    const fence = open[1] ?? "```";
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] ?? "")) end++;
    const marker = i > 0 ? NO_CHECK.exec(lines[i - 1] ?? "") : null;
    blocks.push({
      lang: (open[2] ?? "").toLowerCase(),
      fenceLine: i + 1,
      code: lines.slice(i + 1, end).join("\n"),
      noCheck: marker ? (marker[1] ?? "") : undefined,
    });
    i = end; // an unclosed fence runs to the end of the file, as CommonMark renders it
  }
  return blocks;
}

/** The languages the docs test compiles. */
export function isTypeScript(block: CodeBlock): boolean {
  return block.lang === "ts" || block.lang === "typescript";
}
