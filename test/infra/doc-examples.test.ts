// Every release request README.md shows (the contract and the deploy section) is run
// through the function's own validator, so a documented example can never be one it refuses.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReleaseRequest } from '../../functions/release/request';
import { jsonBlocks, releaseRequestsIn } from './doc-examples';
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

  it('catches an invalid documented request', () => {
    const [found] = releaseRequestsIn({ keywords: ['VANILLA'] });
    expect(() => parseReleaseRequest(found?.request)).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
  });
});
