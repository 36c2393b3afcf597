/**
 * Test helper: Debian's Chromium (never a downloaded browser) and the flags every browser test starts it with.
 * Without the background-networking flags Chromium tries to reach Google's services at start-up, and on a
 * machine without network its connections are refused. QUIC off keeps it to plain HTTP on loopback.
 */
export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
