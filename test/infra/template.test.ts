// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub syntax
// The evaluator the stack checks resolve ARNs with must compute what CloudFormation would, and
// refuse what it cannot compute rather than guess.
import { describe, expect, it } from 'vitest';
import { type CfnTemplate, evaluate } from './template';

const template: CfnTemplate = {
  Resources: {},
  Conditions: {
    Create: { 'Fn::Equals': [{ Ref: 'Existing' }, ''] },
    Keep: { 'Fn::Not': [{ Condition: 'Create' }] },
    Both: { 'Fn::And': [{ Condition: 'Create' }, { 'Fn::Or': [true, false] }] },
  },
};

describe('evaluate', () => {
  it('follows Fn::If through the template conditions', () => {
    const value = { 'Fn::If': ['Create', { Ref: 'Made' }, { Ref: 'Existing' }] };
    expect(evaluate(template, value, { Existing: '', Made: '/made' })).toBe('/made');
    expect(evaluate(template, value, { Existing: '/given' })).toBe('/given');
    expect(evaluate(template, { Condition: 'Keep' }, { Existing: '/given' })).toBe(true);
    expect(evaluate(template, { Condition: 'Both' }, { Existing: '' })).toBe(true);
  });

  it('substitutes both forms of Fn::Sub, escapes included, and Fn::Join', () => {
    const refs = { 'AWS::Region': 'us-east-1', Existing: '/x' };
    expect(
      evaluate(
        template,
        { 'Fn::Sub': ['a:${AWS::Region}:p${Name}:${!Kept}', { Name: { Ref: 'Existing' } }] },
        refs,
      ),
    ).toBe('a:us-east-1:p/x:${Kept}');
    expect(evaluate(template, { 'Fn::Sub': '${AWS::Region}' }, refs)).toBe('us-east-1');
    expect(evaluate(template, { 'Fn::Join': ['-', ['a', { Ref: 'Existing' }]] }, refs)).toBe(
      'a-/x',
    );
  });

  it('throws on a name without a value, an unknown condition or function', () => {
    expect(() => evaluate(template, { Ref: 'Made' }, {})).toThrow(/no value given for Made/);
    expect(() => evaluate(template, { 'Fn::Sub': 'p${Made}' }, {})).toThrow(/Made/);
    expect(() => evaluate(template, { 'Fn::If': ['Nope', 'a', 'b'] }, {})).toThrow(
      /unknown condition Nope/,
    );
    expect(() => evaluate(template, { 'Fn::GetAtt': ['Q', 'Arn'] }, {})).toThrow(
      /cannot evaluate Fn::GetAtt/,
    );
  });
});
