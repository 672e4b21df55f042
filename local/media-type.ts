/**
 * A Content-Type parser (RFC 9110 media type with parameters), because SOAP 1.2 puts the
 * soapAction in a quoted `action` parameter rather than in a header of its own.
 */

/** A parsed Content-Type: lower-cased type and lower-cased parameter names, unquoted values. */
export interface MediaType {
  type: string;
  parameters: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a Content-Type header value; `undefined` when it is absent or malformed. */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const semicolon = header.indexOf(';');
  const type = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const [main, sub, ...rest] = type.split('/');
  if (main === undefined || sub === undefined || rest.length > 0) return undefined;
  if (!TOKEN.test(main) || !TOKEN.test(sub)) return undefined;

  const parameters = new Map<string, string>();
  let position = semicolon === -1 ? header.length : semicolon + 1;
  while (position < header.length) {
    const equals = header.indexOf('=', position);
    if (equals === -1) {
      // A trailing `;` or bare whitespace is tolerated, as most servers do.
      if (header.slice(position).replace(/[\s;]/g, '') === '') break;
      return undefined;
    }
    const name = header.slice(position, equals).trim().toLowerCase();
    if (!TOKEN.test(name)) return undefined;
    let value: string;
    if (header[equals + 1] === '"') {
      // quoted-string: backslash escapes the next character.
      value = '';
      let index = equals + 2;
      for (; index < header.length && header[index] !== '"'; index += 1) {
        if (header[index] === '\\') index += 1;
        value += header[index] ?? '';
      }
      if (index >= header.length) return undefined;
      const next = header.indexOf(';', index + 1);
      if (header.slice(index + 1, next === -1 ? undefined : next).trim() !== '') return undefined;
      position = next === -1 ? header.length : next + 1;
    } else {
      const next = header.indexOf(';', equals + 1);
      value = header.slice(equals + 1, next === -1 ? undefined : next).trim();
      position = next === -1 ? header.length : next + 1;
    }
    // The first occurrence wins; a duplicated parameter is the sender's bug, not ours to merge.
    if (!parameters.has(name)) parameters.set(name, value);
  }
  return { type, parameters };
}
