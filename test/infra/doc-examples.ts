// Finds the release requests a Markdown document shows, so a test can run each one through the
// function's own validator: a documented example must never be one the function would refuse.
//
// Every ```json block must parse. A block holds a release request when it is one (an object with
// "numbers" or "keywords"), or carries one where a trigger does: a bus event's "Detail"/"detail"
// (object or JSON string), a rule or Scheduler target's "Input" (JSON string), a Step Functions
// "Payload", a Lambda on-failure record's "requestPayload"; arrays (put-events entries) are
// searched item by item. Blocks fenced as anything but
// plain `json` (jsonc, text, ...) are not checked.

export interface JsonBlock {
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
}

export interface FoundRequest {
  where: string;
  request: unknown;
}

export function jsonBlocks(markdown: string): JsonBlock[] {
  const blocks: JsonBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})json\s*$/.exec(lines[index] as string);
    if (!open) continue;
    const fence = open[2] as string;
    const body: string[] = [];
    let close = index + 1;
    while (close < lines.length && !(lines[close] as string).trim().startsWith(fence)) {
      body.push(lines[close] as string);
      close++;
    }
    blocks.push({ line: index + 1, text: body.join('\n') });
    index = close;
  }
  return blocks;
}

const WRAPPERS = ['Detail', 'detail', 'Input', 'Payload', 'requestPayload'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequest(value: unknown): boolean {
  return isObject(value) && ('numbers' in value || 'keywords' in value) && !isJobRequest(value);
}

/**
 * A bulk job request (`POST /release-jobs`): it names a `jobId` or a `source` file
 * (`{ "key": ... }`; an EventBridge event's `source` is a string).
 */
export function isJobRequest(value: unknown): boolean {
  return isObject(value) && ('jobId' in value || (isObject(value.source) && 'key' in value.source));
}

export function releaseRequestsIn(value: unknown, where = '$'): FoundRequest[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => releaseRequestsIn(item, `${where}[${index}]`));
  }
  if (isRequest(value)) return [{ where, request: value }];
  return nestedRequests(value, where);
}

// Below the top level only the wrapper keys carry requests (a nested "numbers" is not one).
function nestedRequests(value: unknown, where: string): FoundRequest[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => nestedRequests(item, `${where}[${index}]`));
  }
  if (!isObject(value)) return [];
  const found: FoundRequest[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = `${where}.${key}`;
    if (WRAPPERS.includes(key)) {
      let carried: unknown = child;
      if (typeof child === 'string') {
        try {
          carried = JSON.parse(child);
        } catch {
          continue;
        }
      }
      if (isRequest(carried)) {
        found.push({ where: path, request: carried });
        continue;
      }
    }
    if (isObject(child) || Array.isArray(child)) found.push(...nestedRequests(child, path));
  }
  return found;
}

/** A release request a shell example sends: an SQS message body or the JSON body of a curl to `/releases`. */
export interface ShellRequest {
  /** 1-based line of the option in the document. */
  line: number;
  kind: 'sqs message' | 'curl body';
  text: string;
}

// Single-quoted arguments only: that is how every example passes JSON to a shell. A curl body
// counts when the same command (its continuation lines included) names the release route.
const SQS_BODY = /--message-body\s+'([^']*)'/g;
const CURL_BODY = /(?:-d|--data(?:-raw)?)\s+'([^']*)'/g;

export function shellRequests(markdown: string): ShellRequest[] {
  const found: ShellRequest[] = [];
  let start = 0;
  let text: string[] = [];
  markdown.split(/\r?\n/).forEach((line, index) => {
    if (text.length === 0) start = index;
    text.push(line);
    if (line.trimEnd().endsWith('\\')) return;
    found.push(...requestsOfCommand(text.join('\n'), start));
    text = [];
  });
  return found;
}

/** The requests one shell command (continuation lines joined) sends; `start` is its 0-based line. */
function requestsOfCommand(command: string, start: number): ShellRequest[] {
  const lineOf = (offset: number) => start + command.slice(0, offset).split('\n').length;
  const found: ShellRequest[] = [];
  for (const match of command.matchAll(SQS_BODY)) {
    found.push({ line: lineOf(match.index), kind: 'sqs message', text: match[1] as string });
  }
  if (/\bcurl\b/.test(command) && /\/releases\b/.test(command)) {
    for (const match of command.matchAll(CURL_BODY)) {
      found.push({ line: lineOf(match.index), kind: 'curl body', text: match[1] as string });
    }
  }
  return found;
}
