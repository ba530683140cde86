/**
 * Hides secrets in call metadata before the admin endpoint shows it. Metadata routinely carries
 * credentials (`authorization`, cookies, API keys), and an admin page is read by more people than
 * should see them, so the rule errs towards hiding: a key that merely looks sensitive is hidden.
 */

/** Keys whose values are replaced by {@link REDACTED}: any key containing one of these words. */
export const SENSITIVE_KEY = /token|secret|password|passwd|key|auth|cookie|credential|session|signature/i;

/**
 * Values hidden whatever their key: HTTP credential schemes (`Bearer ...`, `Basic ...`) and JSON
 * Web Tokens (three base64url parts, the first starting `eyJ`), which leak under innocent keys.
 */
const SENSITIVE_VALUE = /^\s*(bearer|basic|digest|negotiate)\s|^eyJ[\w-]*\.[\w-]+\.[\w-]*$/i;

/** What a hidden value is replaced with. */
export const REDACTED = '[redacted]';

/** Longest value shown, in characters; longer ones are cut (a page must stay small). */
export const MAX_SHOWN_VALUE_CHARS = 256;

/**
 * A copy of `metadata` safe to show: sensitive keys and credential-looking values replaced by
 * {@link REDACTED}, values longer than {@link MAX_SHOWN_VALUE_CHARS} cut with a note of their length.
 */
export function redactMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  // No prototype: a key named `__proto__` must stay a plain entry.
  const shown = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(metadata)) {
    if (SENSITIVE_KEY.test(key) || SENSITIVE_VALUE.test(value)) shown[key] = REDACTED;
    else if (value.length > MAX_SHOWN_VALUE_CHARS) shown[key] = `${value.slice(0, MAX_SHOWN_VALUE_CHARS)}... (${value.length} chars)`;
    else shown[key] = value;
  }
  return shown;
}
