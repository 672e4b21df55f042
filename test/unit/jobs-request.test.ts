import { describe, expect, it } from 'vitest';
import { MAX_INLINE_ITEMS, parseJobRequest, requestDigest } from '../../functions/jobs/job-request';
import { formatOf, itemsFromFile, MAX_FILE_ITEMS } from '../../functions/jobs/source-file';
import { type StartPorts, startJob } from '../../functions/jobs/start-job';
import { InvalidRequestError, type RequestIssue } from '../../functions/release/errors';
import { FakeEngine, FakeFiles } from '../helpers/jobs-fakes';

function ports(): StartPorts & { engine: FakeEngine; files: FakeFiles } {
  return {
    engine: new FakeEngine(),
    files: new FakeFiles(),
    resultsUrlTtlSeconds: 900,
    maxConcurrency: 4,
  };
}

/** The InvalidRequestError a call throws, with its HTTP meaning. */
async function refusal(act: () => Promise<unknown>): Promise<InvalidRequestError> {
  const error = await act().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  return error as InvalidRequestError;
}

const paths = (error: InvalidRequestError) => error.issues.map((issue) => issue.path);

describe('job request: inline items', () => {
  it('normalises numbers and keywords, merges duplicates and says how many', async () => {
    // Prepare
    const testPorts = ports();
    const body = {
      jobId: 'job-a',
      numbers: ['14255551212', '+1 (425) 555-1212', '4255551213'],
      keywords: ['VANILLA', 'vanilla', { keyword: 'CHOCOLATE', shortCode: '67076' }],
      confirmKeywordRelease: true,
    };

    // Act
    const started = await startJob(body, testPorts);

    // Assess
    expect(started).toMatchObject({ outcome: 'started', duplicatesMerged: 2 });
    expect(testPorts.files.items('job-a')).toEqual([
      { number: '14255551212' },
      { number: '14255551213' },
      { keyword: 'VANILLA' },
      { keyword: 'CHOCOLATE', shortCode: '67076' },
    ]);
  });

  it('lists every invalid item by its position, and starts nothing', async () => {
    // Prepare
    const testPorts = ports();
    const body = {
      numbers: ['14255551212', 42, '555', '425\t5551212'],
      keywords: ['OK', 'no spaces', { keyword: 'X', shortCode: '12' }, { keyword: 'Y', extra: 1 }],
      confirmKeywordRelease: true,
    };

    // Act
    const error = await refusal(() => startJob(body, testPorts));

    // Assess
    expect(error.http.status).toBe(400);
    expect(paths(error)).toEqual([
      'numbers[1]',
      'numbers[2]',
      'numbers[3]',
      'keywords[1]',
      'keywords[2].shortCode',
      'keywords[3].extra',
    ]);
    expect(error.issues[2]?.message).toMatch(/invisible or non-ASCII/);
    expect(testPorts.files.calls).toEqual([]);
    expect(testPorts.engine.calls).toEqual([]);
  });

  it('lists at most 20 problems and counts the rest', async () => {
    // Act
    const error = await refusal(() =>
      startJob({ numbers: Array.from({ length: 45 }, (_, i) => `bad${i}`) }, ports()),
    );

    // Assess
    expect(error.issues).toHaveLength(20);
    expect(error.omitted).toBe(25);
    expect(error.http.details?.errors).toContainEqual({
      path: '',
      message: 'and 25 more problems not listed',
    });
  });

  it(`refuses more than ${MAX_INLINE_ITEMS} items inline with a 413 before looking at them`, () => {
    // Prepare
    const numbers = Array.from({ length: MAX_INLINE_ITEMS }, () => 'not even a number');

    // Act
    const error = (() => {
      try {
        parseJobRequest({ numbers, keywords: ['ONE_MORE'] });
      } catch (thrown) {
        return thrown as InvalidRequestError;
      }
    })();

    // Assess
    expect(error?.http.status).toBe(413);
    expect(error?.issues).toEqual([
      { path: '', message: expect.stringMatching(/at most 5000 items inline.*got 5001.*source/) },
    ]);
  });

  it('accepts exactly 5,000 items inline', () => {
    const numbers = Array.from(
      { length: MAX_INLINE_ITEMS },
      (_, i) => `1312555${String(i).padStart(4, '0')}`,
    );
    expect(parseJobRequest({ numbers }).inline?.numbers).toHaveLength(MAX_INLINE_ITEMS);
  });

  it('needs confirmKeywordRelease for keywords unless it is a dry run', async () => {
    // Act
    const refused = await refusal(() => startJob({ keywords: ['VANILLA', 'MintChip'] }, ports()));
    const dryRun = await startJob({ keywords: ['VANILLA'], dryRun: true }, ports());

    // Assess
    expect(refused.issues).toEqual([
      {
        path: 'confirmKeywordRelease',
        message: expect.stringMatching(/must be true to release the job's 2 keywords/),
      },
    ]);
    expect(dryRun.outcome).toBe('started');
  });

  it.each<[string, unknown, string[]]>([
    ['an unknown field (a typo)', { number: ['14255551212'] }, ['number', '']],
    ['no items at all', {}, ['']],
    [
      'a planHash (jobs do not apply plans)',
      { numbers: ['14255551212'], planHash: 'a' },
      ['planHash'],
    ],
    ['a jobId outside the pattern', { numbers: ['14255551212'], jobId: 'has space' }, ['jobId']],
    ['a jobId over 80 characters', { numbers: ['14255551212'], jobId: 'j'.repeat(81) }, ['jobId']],
    ['flags that are not booleans', { numbers: ['14255551212'], dryRun: 'yes' }, ['dryRun']],
    [
      'both a source and items',
      { numbers: ['14255551212'], source: { key: 'uploads/a.csv' } },
      ['source'],
    ],
    ['a source outside uploads/', { source: { key: 'jobs/x/items.json' } }, ['source.key']],
    [
      'a source that is neither .csv nor .json',
      { source: { key: 'uploads/a.txt' } },
      ['source.key'],
    ],
    [
      'a source with more than a key',
      { source: { key: 'uploads/a.csv', bucket: 'x' } },
      ['source'],
    ],
  ])('refuses %s', (_case, body, expected) => {
    // Act
    const act = () => parseJobRequest(body);

    // Assess
    expect(act).toThrow(InvalidRequestError);
    try {
      act();
    } catch (error) {
      expect(paths(error as InvalidRequestError)).toEqual(expected);
    }
  });
});

describe('job request: CSV files', () => {
  const read = (text: string) => {
    const issues: RequestIssue[] = [];
    const list = itemsFromFile(text, 'csv', issues);
    return { ...list, issues };
  };

  it('reads number, keyword and shortCode columns in any order, other columns ignored', () => {
    // Act
    const { items, issues } = read(
      'shortCode,Keyword,note,NUMBER\n67076,VANILLA,first,\n,,second,(425) 555-1212\n,MintChip,,\n',
    );

    // Assess
    expect(issues).toEqual([]);
    expect(items).toEqual([
      { keyword: 'VANILLA', shortCode: '67076' },
      { number: '14255551212' },
      { keyword: 'MintChip' },
    ]);
  });

  it.each([
    [
      'numbers only',
      'number\n14255551212\n+44 20 7946 0958\n',
      [{ number: '14255551212' }, { number: '442079460958' }],
    ],
    [
      'keywords only',
      'keyword\nVANILLA\nSTRAWBERRY\n',
      [{ keyword: 'VANILLA' }, { keyword: 'STRAWBERRY' }],
    ],
    [
      'a byte order mark and CRLF lines',
      '\uFEFFnumber\r\n14255551212\r\n',
      [{ number: '14255551212' }],
    ],
  ])('reads a file with %s', (_case, text, expected) => {
    expect(read(text)).toMatchObject({ items: expected, issues: [] });
  });

  it('takes a results.csv as it is (its extra columns ignored)', () => {
    // Prepare: what Finalize writes, the failed rows kept
    const text = [
      'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable',
      'number,14255551212,,,failed,,UNAVAILABLE,"CallFire fault UNAVAILABLE: try later, please",true',
      'keyword,,VANILLA,67076,failed,,JOB_STOPPED,the job was stopped before this batch ran; nothing was sent,true',
      '',
    ].join('\r\n');

    // Act
    const { items, issues } = read(text);

    // Assess
    expect(issues).toEqual([]);
    expect(items).toEqual([{ number: '14255551212' }, { keyword: 'VANILLA', shortCode: '67076' }]);
  });

  it('names bad rows by their line in the file, empty lines and multi-line cells counted', () => {
    // Act
    const { issues, items } = read(
      [
        'number,keyword,shortCode', // line 1
        '14255551212,,', // 2
        '', // 3
        '555,,', // 4
        '14255551213,VANILLA,', // 5
        ',,67076', // 6
        '"142\n5555",,', // 7-8
        ',bad word,', // 9
        ',,', // 10: an empty row is skipped
        'x,,', // 11
      ].join('\r\n'),
    );

    // Assess
    expect(items).toEqual([{ number: '14255551212' }]);
    expect(issues.map((issue) => issue.path)).toEqual([
      'line 4',
      'line 5',
      'line 6',
      'line 7',
      'line 9, keyword',
      'line 11',
    ]);
    expect(issues[1]?.message).toMatch(/not both/);
    expect(issues[2]?.message).toMatch(/shortCode needs its keyword/);
  });

  it('names the header row when it has none of the columns, or one twice', () => {
    expect(read('phone\n14255551212\n').issues).toEqual([
      {
        path: 'line 1',
        message: expect.stringMatching(/none of the columns number, keyword, shortCode/),
      },
    ]);
    expect(read('number,Number\n1,2\n').issues).toEqual([
      { path: 'line 1', message: 'the header names number twice' },
    ]);
  });

  it('reports a file that is not CSV with the line csv-parse stopped at', () => {
    const { issues } = read('number\n14255551212\n"1425"x\n');
    expect(issues).toEqual([
      { path: 'line 3', message: expect.stringMatching(/^not valid CSV: /) },
    ]);
  });

  it(`refuses more than ${MAX_FILE_ITEMS} rows with a 413`, () => {
    // Prepare
    const text = `number\n${'14255551212\n'.repeat(MAX_FILE_ITEMS + 1)}`;

    // Act and assess
    expect(() => read(text)).toThrow(/at most 100000 items per file; it has 100001 rows/);
    try {
      read(text);
    } catch (error) {
      expect((error as InvalidRequestError).http.status).toBe(413);
    }
  });

  it(`accepts ${MAX_FILE_ITEMS} rows, merging the duplicates`, () => {
    const { items, duplicatesMerged } = read(`number\n${'14255551212\n'.repeat(MAX_FILE_ITEMS)}`);
    expect(items).toHaveLength(1);
    expect(duplicatesMerged).toBe(MAX_FILE_ITEMS - 1);
  });
});

describe('job request: JSON files', () => {
  const read = (text: string) => {
    const issues: RequestIssue[] = [];
    return { ...itemsFromFile(text, 'json', issues), issues };
  };

  it('reads number strings, { number } and { keyword, shortCode? } objects', () => {
    const { items, issues, duplicatesMerged } = read(
      JSON.stringify([
        '14255551212',
        { number: '(425) 555-1213' },
        { keyword: 'VANILLA' },
        { keyword: 'CHOCOLATE', shortCode: '67076' },
        '+1 425 555 1212',
      ]),
    );
    expect(issues).toEqual([]);
    expect(duplicatesMerged).toBe(1);
    expect(items).toEqual([
      { number: '14255551212' },
      { number: '14255551213' },
      { keyword: 'VANILLA' },
      { keyword: 'CHOCOLATE', shortCode: '67076' },
    ]);
  });

  it('names bad entries by their index', () => {
    const { issues } = read(
      JSON.stringify([
        '14255551212',
        7,
        { number: '1', note: 'x' },
        { number: '14255551212', keyword: 'A' },
        { keyword: 'A', shortCode: 'abc' },
        { number: 14255551212 },
      ]),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      '[1]',
      '[2]',
      '[3]',
      '[4].shortCode',
      '[5].number',
    ]);
  });

  it('refuses a file that is not a JSON array', () => {
    expect(read('{"numbers":[]}').issues).toEqual([
      { path: '', message: 'the file must hold a JSON array of items' },
    ]);
    expect(read('[1,').issues).toEqual([{ path: '', message: 'the file is not valid JSON' }]);
  });

  it(`refuses more than ${MAX_FILE_ITEMS} entries with a 413`, () => {
    const text = JSON.stringify(Array.from({ length: MAX_FILE_ITEMS + 1 }, () => '14255551212'));
    expect(() => read(text)).toThrow(/at most 100000 items per file; it has 100001 entries/);
  });
});

describe('job request: uploaded files', () => {
  it('reads the upload named by source.key and starts the job with it', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.files.objects.set('uploads/march.csv', 'number\n14255551212\n14255551213\n');

    // Act
    const started = await startJob(
      { source: { key: 'uploads/march.csv' }, jobId: 'job-file' },
      testPorts,
    );

    // Assess
    expect(started).toMatchObject({
      outcome: 'started',
      input: { source: 'uploads/march.csv', total: 2 },
    });
  });

  it('names the file in the error and lists its bad lines; nothing starts', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.files.objects.set('uploads/bad.csv', 'number\n14255551212\n555\n');

    // Act
    const error = await refusal(() => startJob({ source: { key: 'uploads/bad.csv' } }, testPorts));

    // Assess
    expect(error.message).toMatch(/in uploads\/bad\.csv: line 3:/);
    expect(testPorts.engine.calls).toEqual([]);
    expect(testPorts.files.calls).toEqual(['readUpload uploads/bad.csv']);
  });

  it('needs the confirmation for keywords from a file too', async () => {
    const testPorts = ports();
    testPorts.files.objects.set('uploads/k.json', '[{"keyword":"VANILLA"}]');
    const error = await refusal(() => startJob({ source: { key: 'uploads/k.json' } }, testPorts));
    expect(paths(error)).toEqual(['confirmKeywordRelease']);
  });

  it('answers 400 for a missing file and 413 for one over 16 MiB', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.files.objects.set('uploads/huge.csv', `number\n${'1'.repeat(16 * 1024 * 1024)}`);

    // Act
    const missing = await refusal(() =>
      startJob({ source: { key: 'uploads/none.csv' } }, testPorts),
    );
    const huge = await refusal(() => startJob({ source: { key: 'uploads/huge.csv' } }, testPorts));

    // Assess
    expect(missing.http.status).toBe(400);
    expect(missing.issues[0]).toEqual({
      path: 'source.key',
      message: 'no file uploads/none.csv in the jobs bucket: upload it first',
    });
    expect(huge.http.status).toBe(413);
  });

  it('knows the format by the extension, in any case', () => {
    expect(formatOf('uploads/a.CSV')).toBe('csv');
    expect(formatOf('uploads/a.b.json')).toBe('json');
    expect(formatOf('uploads/csv')).toBeUndefined();
  });
});

describe('request digest', () => {
  const flags = { dryRun: false, confirmKeywordRelease: true, skipConfigured: false };

  it('is the same for the same items and flags, and changes with either', () => {
    const items = [{ number: '14255551212' }, { keyword: 'VANILLA' }];
    const digest = requestDigest(items, flags);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(requestDigest(structuredClone(items), { ...flags })).toBe(digest);
    expect(requestDigest(items, { ...flags, dryRun: true })).not.toBe(digest);
    expect(requestDigest(items.slice(0, 1), flags)).not.toBe(digest);
  });
});
