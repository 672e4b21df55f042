import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/release/errors';
import {
  isProtectedKeyword,
  isProtectedNumber,
  parseProtectedList,
} from '../../functions/release/protection/protected-list';

describe('parseProtectedList', () => {
  it('reads numbers in any form a request accepts, keywords, and SHORTCODE/KEYWORD, skipping comments and blanks', () => {
    // Prepare
    const text = [
      '# Never released by callfire-release',
      '',
      '+1 (425) 555-1213   # the front desk',
      '425.555.1214',
      'vanilla',
      '67076/MintChip',
      '   ',
    ].join('\n');

    // Act
    const list = parseProtectedList(text, 'parameter /p');

    // Assess
    expect([...list.numbers]).toEqual(['14255551213', '14255551214']);
    expect([...list.keywords]).toEqual(['VANILLA']);
    expect([...list.keywordsOn]).toEqual(['67076/MINTCHIP']);
  });

  it.each([
    ['a number with letters', '425-555-CALL', 2],
    ['a keyword with a space', 'VAN ILLA', 2],
    ['a short code without a keyword', '67076/', 2],
    ['a keyword on a short code that is not digits', 'abc/VANILLA', 2],
  ])('refuses %s, naming the line and failing closed', (_case, entry, line) => {
    // Act / Assess
    expect(() => parseProtectedList(`# list\n${entry}\n14255551212`, 'parameter /p')).toThrow(
      new ConfigurationError(
        `Protected items parameter /p, line ${line}: "${entry}" is not a phone number, KEYWORD or SHORTCODE/KEYWORD; nothing is released until it is fixed`,
      ),
    );
  });

  it('reads CRLF line ends', () => {
    // Act / Assess
    expect([...parseProtectedList('14255551212\r\nVANILLA\r\n', 'x').numbers]).toEqual([
      '14255551212',
    ]);
  });
});

describe('protected item matching', () => {
  const list = parseProtectedList('14255551213\nVANILLA\n67076/MINTCHIP', 'x');

  it.each([
    ['a listed number', () => isProtectedNumber(list, '14255551213'), true],
    ['another number', () => isProtectedNumber(list, '14255551212'), false],
    [
      'a keyword on every short code, any case',
      () => isProtectedKeyword(list, 'Vanilla', '99000'),
      true,
    ],
    ['the same keyword without a short code', () => isProtectedKeyword(list, 'vanilla'), true],
    ['a keyword on its short code', () => isProtectedKeyword(list, 'MintChip', '67076'), true],
    [
      'that keyword on another short code',
      () => isProtectedKeyword(list, 'MintChip', '99000'),
      false,
    ],
    [
      'that keyword before its short code is known',
      () => isProtectedKeyword(list, 'MintChip'),
      false,
    ],
  ])('%s: %s', (_case, check, expected) => {
    // Act / Assess
    expect(check()).toBe(expected);
  });
});
