// Every release request README.md shows (the contract and the deploy section) is run
// through the function's own validator, so a documented example can never be one it refuses.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineItems, parseJobRequest } from '../../functions/jobs/job-request';
import type { RequestIssue } from '../../functions/release/errors';
import { parseReleaseRequest } from '../../functions/release/request';
import { isJobRequest, jsonBlocks, releaseRequestsIn, shellRequests } from './doc-examples';
import { ROOT } from './package-stack';

const DOCUMENTS = ['README.md'].filter((file) => existsSync(join(ROOT, file)));

function examples() {
  return DOCUMENTS.flatMap((file) =>
    jsonBlocks(readFileSync(join(ROOT, file), 'utf8')).map((block) => ({ file, ...block })),
  );
}

describe('documented examples', () => {
  it('are found in the deploy documentation', () => {
    expect(DOCUMENTS).toContain('README.md');
    const requests = examples().flatMap((block) => releaseRequestsIn(JSON.parse(block.text)));
    // Direct invocation, put-events, a one-off schedule, a keyword release, the monthly one...
    expect(requests.length).toBeGreaterThanOrEqual(5);
  });

  it('are valid JSON', () => {
    for (const block of examples()) {
      expect(() => JSON.parse(block.text), `${block.file}:${block.line}`).not.toThrow();
    }
  });

  it("are release requests the function's validator accepts", () => {
    for (const block of examples()) {
      for (const { where, request } of releaseRequestsIn(JSON.parse(block.text))) {
        const label = `${block.file}:${block.line} ${where}`;
        try {
          parseReleaseRequest(request);
        } catch (error) {
          const issues = (error as { issues?: unknown }).issues;
          expect.fail(`${label}: ${String(error)} ${JSON.stringify(issues ?? [])}`);
        }
      }
    }
  });
});

describe('documented bulk job requests', () => {
  it("are job requests the job API's validator accepts", () => {
    const jobs = examples()
      .map((block) => ({ ...block, value: JSON.parse(block.text) as unknown }))
      .filter((block) => isJobRequest(block.value));
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    for (const { file, line, value } of jobs) {
      const request = parseJobRequest(value);
      const issues: RequestIssue[] = [];
      if (request.inline) inlineItems(request.inline, issues);
      expect(issues, `${file}:${line}`).toEqual([]);
    }
  });
});

describe('documented shell examples', () => {
  const shell = () =>
    DOCUMENTS.flatMap((file) =>
      shellRequests(readFileSync(join(ROOT, file), 'utf8')).map((found) => ({ file, ...found })),
    );

  it('are found: SQS message bodies and curl bodies to /releases', () => {
    const kinds = new Set(shell().map((found) => found.kind));
    expect(kinds).toEqual(new Set(['sqs message', 'curl body']));
  });

  it("are release requests the function's validator accepts", () => {
    for (const { file, line, kind, text } of shell()) {
      const label = `${file}:${line} (${kind})`;
      try {
        parseReleaseRequest(JSON.parse(text));
      } catch (error) {
        const issues = (error as { issues?: unknown }).issues;
        expect.fail(`${label}: ${String(error)} ${JSON.stringify(issues ?? [])}`);
      }
    }
  });
});

describe('the example finder', () => {
  it('finds requests where each trigger carries them', () => {
    const request = { numbers: ['14255551212'] };
    expect(releaseRequestsIn(request)).toEqual([{ where: '$', request }]);
    expect(
      releaseRequestsIn([
        {
          Source: 'callfire.release',
          DetailType: 'Release Requested',
          Detail: JSON.stringify(request),
        },
      ]),
    ).toEqual([{ where: '$[0].Detail', request }]);
    expect(releaseRequestsIn({ Arn: 'arn', Input: JSON.stringify(request) })).toEqual([
      { where: '$.Input', request },
    ]);
    expect(releaseRequestsIn({ States: { Release: { Arguments: { Payload: request } } } })).toEqual(
      [{ where: '$.States.Release.Arguments.Payload', request }],
    );
    expect(releaseRequestsIn({ username: 'u', password: 'p' })).toEqual([]);
    expect(releaseRequestsIn({ results: { numbers: [] } })).toEqual([]);
  });

  it('reads only plain json fences', () => {
    const markdown = [
      '```json',
      '{"numbers":[]}',
      '```',
      '```jsonc',
      '{}',
      '```',
      '```bash',
      'x',
      '```',
    ];
    expect(jsonBlocks(markdown.join('\n'))).toEqual([{ line: 1, text: '{"numbers":[]}' }]);
  });

  it('finds SQS message bodies and curl bodies to /releases, across continuation lines', () => {
    const markdown = [
      'aws sqs send-message --queue-url "$URL" \\',
      `  --message-body '{"numbers":["14255551212"]}'`,
      `curl -s -X POST http://127.0.0.1:3000/releases -d '{"dryRun":true}'`,
      `curl -s -X POST http://127.0.0.1:3000/_sandbox/faults -d '{"fault":{}}'`,
    ].join('\n');
    expect(shellRequests(markdown)).toEqual([
      { line: 2, kind: 'sqs message', text: '{"numbers":["14255551212"]}' },
      { line: 3, kind: 'curl body', text: '{"dryRun":true}' },
    ]);
  });

  it('catches an invalid documented request', () => {
    const [found] = releaseRequestsIn({ keywords: ['VANILLA'] });
    expect(() => parseReleaseRequest(found?.request)).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
  });
});
