/**
 * Scrubs secrets out of text we did not write ourselves (a fetch implementation's error message, an
 * upstream's echo), so the API key cannot leak into an error, log or hook payload.
 */
const KEY_PATTERN = /\b(sk-or-[A-Za-z0-9_-]{2,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;

export function redact(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join("[REDACTED]");
  return out.replace(KEY_PATTERN, (match) => (match.startsWith("Bearer") ? "Bearer [REDACTED]" : "[REDACTED]"));
}
