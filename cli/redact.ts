/**
 * Keeps credentials out of everything the tool prints. The signer registers the secret parts of
 * the credentials it resolves; every message from elsewhere (an API's error text, an SDK error)
 * goes through {@link safeText} before it is shown. API Gateway's 403 for a bad signature, for
 * one, echoes the canonical request, session token included.
 */

const secrets = new Set<string>();

/** Registers a value that must never be printed (a secret key, a session token). */
export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

/**
 * `text` made safe to print: the first line only, clipped, with every registered secret and
 * anything shaped like a SigV4 Authorization value or signature replaced by `[redacted]`.
 *
 * @example safeText('denied\nThe Canonical String…') // 'denied'
 */
export function safeText(text: string, length = 300): string {
  let safe = redact(text).split(/\r?\n/, 1)[0]?.trim() ?? '';
  safe = safe.replace(/[^\x20-\x7e]/g, '?');
  return safe.length > length ? `${safe.slice(0, length)}…` : safe;
}

/** `text` with every registered secret and SigV4 signature replaced, all lines kept. */
export function redact(text: string): string {
  let safe = text;
  for (const secret of secrets) safe = safe.replaceAll(secret, '[redacted]');
  return safe
    .replace(/AWS4-HMAC-SHA256[^\r\n]*/g, 'AWS4-HMAC-SHA256 [redacted]')
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s]+/gi, '$1[redacted]');
}
