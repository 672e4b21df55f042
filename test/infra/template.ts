// Shapes and small readers for the CloudFormation template `osls package` writes. Pure helpers:
// no test runner, no file system.

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  [attribute: string]: unknown;
}

export interface CfnParameter {
  Type: string;
  Default?: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  [attribute: string]: unknown;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; [attribute: string]: unknown }>;
  [section: string]: unknown;
}

/** One IAM statement, with where it was found (for messages). */
export interface FoundStatement {
  where: string;
  statement: Record<string, unknown>;
  /** The condition names of the `Fn::If` branches the statement sits in, outermost first. */
  conditions: string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The resource with that logical id, or a failure naming what the template does hold. */
export function resource(template: CfnTemplate, logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) {
    throw new Error(
      `no resource ${logicalId}; the template has ${Object.keys(template.Resources).join(', ')}`,
    );
  }
  return found;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, candidate]) => candidate.Type === type);
}

export function properties(found: CfnResource): Record<string, unknown> {
  return found.Properties ?? {};
}

/**
 * Yields the items of a list that may hold `Fn::If` entries (as CloudFormation allows in
 * `Policies`), with the condition each sits under; `AWS::NoValue` branches are dropped.
 */
export function conditionalItems(
  list: unknown,
  conditions: string[] = [],
): { item: Record<string, unknown>; conditions: string[] }[] {
  const items: { item: Record<string, unknown>; conditions: string[] }[] = [];
  for (const entry of asArray(list)) {
    if (!isPlainObject(entry)) continue;
    const branches = entry['Fn::If'];
    if (Array.isArray(branches) && Object.keys(entry).length === 1) {
      const [condition, whenTrue, whenFalse] = branches as [string, unknown, unknown];
      items.push(...conditionalItems([whenTrue], [...conditions, condition]));
      items.push(...conditionalItems([whenFalse], [...conditions, `!${condition}`]));
      continue;
    }
    if (isNoValue(entry)) continue;
    items.push({ item: entry, conditions });
  }
  return items;
}

export function isNoValue(value: unknown): boolean {
  return isPlainObject(value) && value.Ref === 'AWS::NoValue';
}

function statementsOfDocument(
  document: unknown,
  where: string,
  conditions: string[],
): FoundStatement[] {
  if (!isPlainObject(document)) return [];
  return conditionalItems(document.Statement, conditions).map(({ item, conditions: within }) => ({
    where,
    statement: item,
    conditions: within,
  }));
}

/** Every statement of an IAM role's inline policies. */
export function roleStatements(template: CfnTemplate, roleId: string): FoundStatement[] {
  const role = resource(template, roleId);
  return conditionalItems(properties(role).Policies).flatMap(({ item, conditions }) =>
    statementsOfDocument(item.PolicyDocument, `${roleId}/${String(item.PolicyName)}`, conditions),
  );
}

const POLICY_DOCUMENT_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Policy': 'PolicyDocument',
  'AWS::IAM::ManagedPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::S3::BucketPolicy': 'PolicyDocument',
};

/** Every statement of every policy the template holds: roles (trust and inline), policies. */
export function allStatements(template: CfnTemplate): FoundStatement[] {
  const found: FoundStatement[] = [];
  for (const [logicalId, candidate] of Object.entries(template.Resources)) {
    const props = properties(candidate);
    if (candidate.Type === 'AWS::IAM::Role') {
      found.push(
        ...statementsOfDocument(props.AssumeRolePolicyDocument, `${logicalId}/trust`, []),
        ...roleStatements(template, logicalId),
      );
    }
    const documentProperty = POLICY_DOCUMENT_PROPERTIES[candidate.Type];
    if (documentProperty) {
      found.push(...statementsOfDocument(props[documentProperty], logicalId, []));
    }
  }
  return found;
}

export function actionsOf(statement: Record<string, unknown>): string[] {
  return asArray(statement.Action as string | string[] | undefined);
}

export function resourcesOf(statement: Record<string, unknown>): unknown[] {
  return asArray(statement.Resource as unknown);
}

/**
 * Whether a statement's resource names everything: the literal "*", or an ARN (literal or
 * `Fn::Sub` template) that ends in a wildcard.
 */
export function isWildcardResource(value: unknown): boolean {
  if (typeof value === 'string') return value === '*' || value.endsWith('*');
  if (isPlainObject(value) && 'Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    return typeof text === 'string' && (text === '*' || text.endsWith('*'));
  }
  return false;
}

/**
 * Evaluates an intrinsic-function value to the string CloudFormation would compute, for a given
 * set of parameter values: Ref (parameters, pseudo parameters, and resources whose Ref value the
 * caller supplies), Fn::If (the template's own Conditions, themselves evaluated), Fn::Equals,
 * Fn::Not, Fn::And, Fn::Or, Condition, Fn::Sub (both forms, `${!Literal}` escapes included) and
 * Fn::Join. Anything else, or a name without a value, throws: a check built on this must not pass
 * on a guess.
 */
export function evaluate(
  template: CfnTemplate,
  value: unknown,
  refs: Record<string, string>,
): unknown {
  const conditionValue = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new Error(`unknown condition ${name}`);
    const result = evaluate(template, definition, refs);
    if (typeof result !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    return result;
  };
  const refValue = (name: string): string => {
    const found = refs[name];
    if (found === undefined) throw new Error(`no value given for ${name}`);
    return found;
  };
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(template, item, refs));
  if (!isPlainObject(value)) throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
  const [fn] = keys as [string];
  const args = value[fn];
  switch (fn) {
    case 'Ref':
      return refValue(String(args));
    case 'Condition':
      return conditionValue(String(args));
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
      return evaluate(template, conditionValue(name) ? whenTrue : whenFalse, refs);
    }
    case 'Fn::Equals': {
      const [left, right] = evaluate(template, args, refs) as [unknown, unknown];
      return left === right;
    }
    case 'Fn::Not':
      return !(evaluate(template, (args as unknown[])[0], refs) as boolean);
    case 'Fn::And':
      return (evaluate(template, args, refs) as boolean[]).every(Boolean);
    case 'Fn::Or':
      return (evaluate(template, args, refs) as boolean[]).some(Boolean);
    case 'Fn::Join': {
      const [delimiter, items] = args as [string, unknown];
      return (evaluate(template, items, refs) as unknown[]).join(delimiter);
    }
    case 'Fn::Sub': {
      const [text, variables] = (Array.isArray(args) ? args : [args, {}]) as [
        string,
        Record<string, unknown>,
      ];
      const local = Object.fromEntries(
        Object.entries(variables).map(([name, item]) => [name, evaluate(template, item, refs)]),
      );
      return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        const found = name in local ? local[name] : refValue(name);
        if (typeof found !== 'string') throw new Error(`\${${name}} is not a string`);
        return found;
      });
    }
    default:
      throw new Error(`cannot evaluate ${fn}`);
  }
}
