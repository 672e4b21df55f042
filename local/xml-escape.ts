/**
 * Escaping for text and attribute values the stand-ins echo back in XML.
 *
 * Besides the five markup characters, characters XML 1.0 forbids outright (U+0000-U+001F except
 * tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: they cannot be escaped at all, and
 * echoing one would make the whole answer unparseable. CR is written as a character reference so
 * that parsers do not normalise it away.
 */

const FORBIDDEN_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MARKUP = /[&<>"'\r]/g;
const REPLACEMENTS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/** Makes `value` safe as XML element text or as a quoted attribute value. */
export function escapeXml(value: string): string {
  return value
    .replace(FORBIDDEN_IN_XML, '\uFFFD')
    .replace(MARKUP, (character) => REPLACEMENTS[character] ?? character);
}
