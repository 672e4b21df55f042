// Checks a CloudFormation template against AWS's own resource specification, as the CDK team
// publishes it (@aws-cdk/aws-service-spec): every resource type exists, no property is unknown, no
// required property is missing, at the top level and inside nested structures given literally.
// It also checks the template's internal references: Ref, Fn::GetAtt (including that the
// attribute exists on that resource type), Fn::Sub variables, Conditions and DependsOn.
//
// Values computed by intrinsic functions cannot be type-checked offline; both branches of an
// Fn::If are checked against the property's type, everything else intrinsic is trusted.

import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { type CfnTemplate, isPlainObject } from './template';

// The subset of the spec database's model this checker reads (see @aws-cdk/service-spec-types).
type SpecType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };

interface SpecProperty {
  type: SpecType;
  required?: boolean;
}

interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}

interface SpecTypeDefinition {
  name: string;
  properties: Record<string, SpecProperty>;
}

export interface SpecLookup {
  resource(cloudFormationType: string): SpecResource | undefined;
  typeDefinition(id: string): SpecTypeDefinition | undefined;
}

let cached: SpecLookup | undefined;

/** Loads the spec database once per process (about a second). */
export function specLookup(): SpecLookup {
  if (cached) return cached;
  const db = loadAwsServiceSpecSync();
  cached = {
    resource: (cloudFormationType) =>
      db.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType)[0] as unknown as
        | SpecResource
        | undefined,
    typeDefinition: (id) => db.get('typeDefinition', id) as unknown as SpecTypeDefinition,
  };
  return cached;
}

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'Condition',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** An object that is one intrinsic function call: `{ Ref }`, `{ "Fn::...": ... }`, `{ Condition }`. */
function intrinsicName(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * Every problem found, as "Resources.X.Properties.Y: message" lines; an empty list means the
 * template passed.
 */
export function checkTemplate(template: CfnTemplate, spec: SpecLookup = specLookup()): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};

  const checkReferences = (value: unknown, path: string, extraNames: Set<string> = new Set()) => {
    const refName = (name: string) =>
      PSEUDO_PARAMETERS.has(name) ||
      name in resources ||
      name in parameters ||
      extraNames.has(name);
    const getAtt = (logicalId: string, attribute: string, where: string) => {
      const target = resources[logicalId];
      if (!target) {
        problems.push(`${where}: Fn::GetAtt names unknown resource ${logicalId}`);
        return;
      }
      const targetSpec = spec.resource(target.Type);
      if (targetSpec && !(attribute in targetSpec.attributes)) {
        problems.push(
          `${where}: ${target.Type} has no attribute ${attribute} (has ${Object.keys(targetSpec.attributes).join(', ')})`,
        );
      }
    };
    const walk = (node: unknown, where: string) => {
      if (Array.isArray(node)) {
        for (const [index, item] of node.entries()) walk(item, `${where}[${index}]`);
        return;
      }
      if (!isPlainObject(node)) return;
      const intrinsic = intrinsicName(node);
      if (intrinsic === 'Ref') {
        const name = node.Ref;
        if (typeof name !== 'string' || !refName(name)) {
          problems.push(`${where}: Ref names unknown resource or parameter ${String(name)}`);
        }
        return;
      }
      if (intrinsic === 'Fn::GetAtt') {
        const args = node['Fn::GetAtt'];
        if (typeof args === 'string') {
          const dot = args.indexOf('.');
          getAtt(args.slice(0, dot), args.slice(dot + 1), where);
        } else if (
          Array.isArray(args) &&
          typeof args[0] === 'string' &&
          typeof args[1] === 'string'
        ) {
          getAtt(args[0], args[1], where);
        } else {
          problems.push(`${where}: malformed Fn::GetAtt`);
        }
        return;
      }
      if (intrinsic === 'Fn::If' || intrinsic === 'Condition') {
        const args = node[intrinsic];
        const name = Array.isArray(args) ? args[0] : args;
        if (typeof name !== 'string' || !(name in conditions)) {
          problems.push(`${where}: ${intrinsic} names unknown condition ${String(name)}`);
        }
        if (Array.isArray(args)) {
          for (const [i, branch] of args.slice(1).entries()) walk(branch, `${where}<${i}>`);
        }
        return;
      }
      if (intrinsic === 'Fn::Sub') {
        const args = node['Fn::Sub'];
        const text = Array.isArray(args) ? args[0] : args;
        const variables = Array.isArray(args) && isPlainObject(args[1]) ? args[1] : {};
        if (typeof text !== 'string') {
          problems.push(`${where}: malformed Fn::Sub`);
          return;
        }
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1] as string;
          if (name in variables || PSEUDO_PARAMETERS.has(name)) continue;
          const dot = name.indexOf('.');
          if (dot > 0) getAtt(name.slice(0, dot), name.slice(dot + 1), where);
          else if (!refName(name)) problems.push(`${where}: Fn::Sub names unknown \${${name}}`);
        }
        walk(variables, where);
        return;
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${where}.${key}`);
    };
    walk(value, path);
  };

  // Checks a literal value against a spec type; intrinsic values are trusted except Fn::If.
  const checkValue = (value: unknown, type: SpecType, path: string, out: string[]) => {
    const intrinsic = intrinsicName(value);
    if (intrinsic === 'Fn::If') {
      const args = (value as Record<string, unknown>)['Fn::If'];
      if (Array.isArray(args)) {
        args.slice(1).forEach((branch, i) => {
          if (!(isPlainObject(branch) && branch.Ref === 'AWS::NoValue')) {
            checkValue(branch, type, `${path}<${i}>`, out);
          }
        });
      }
      return;
    }
    if (intrinsic) return;
    switch (type.type) {
      case 'json':
        return;
      case 'union': {
        const attempts = type.types.map((member) => {
          const memberProblems: string[] = [];
          checkValue(value, member, path, memberProblems);
          return memberProblems;
        });
        if (!attempts.some((attempt) => attempt.length === 0)) {
          // Report against the member whose shape the value has (fewest problems).
          const best = attempts.reduce((a, b) => (b.length < a.length ? b : a));
          out.push(...best);
        }
        return;
      }
      case 'array':
        if (!Array.isArray(value)) {
          out.push(`${path}: expected a list`);
          return;
        }
        for (const [index, item] of value.entries()) {
          checkValue(item, type.element, `${path}[${index}]`, out);
        }
        return;
      case 'map':
        if (!isPlainObject(value)) {
          out.push(`${path}: expected a map`);
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          checkValue(item, type.element, `${path}.${key}`, out);
        }
        return;
      case 'tag':
        checkStruct(
          value,
          {
            Key: { type: { type: 'string' }, required: true },
            Value: { type: { type: 'string' }, required: true },
          },
          path,
          out,
        );
        return;
      case 'ref': {
        const definition = spec.typeDefinition(type.reference.$ref);
        if (!definition) {
          out.push(`${path}: unknown type definition ${type.reference.$ref} in the spec`);
          return;
        }
        checkStruct(value, definition.properties, path, out);
        return;
      }
      case 'string':
        if (typeof value === 'object') out.push(`${path}: expected a string`);
        return;
      case 'number':
      case 'integer':
        if (
          typeof value !== 'number' &&
          !(typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        ) {
          out.push(`${path}: expected a number`);
        }
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') {
          out.push(`${path}: expected a boolean`);
        }
        return;
      default:
        return;
    }
  };

  const checkStruct = (
    value: unknown,
    specProperties: Record<string, SpecProperty>,
    path: string,
    out: string[],
  ) => {
    if (!isPlainObject(value)) {
      out.push(
        `${path}: expected an object with properties ${Object.keys(specProperties).join(', ')}`,
      );
      return;
    }
    for (const [name, child] of Object.entries(value)) {
      const property = specProperties[name];
      if (!property) {
        out.push(`${path}: unknown property ${name}`);
        continue;
      }
      checkValue(child, property.type, `${path}.${name}`, out);
    }
    for (const [name, property] of Object.entries(specProperties)) {
      if (property.required && !(name in value))
        out.push(`${path}: required property ${name} is missing`);
    }
  };

  for (const [logicalId, declared] of Object.entries(resources)) {
    const path = `Resources.${logicalId}`;
    for (const attribute of Object.keys(declared)) {
      if (!RESOURCE_ATTRIBUTES.has(attribute))
        problems.push(`${path}: unknown resource attribute ${attribute}`);
    }
    if (declared.Condition !== undefined && !(declared.Condition in conditions)) {
      problems.push(`${path}: unknown condition ${declared.Condition}`);
    }
    for (const dependency of [declared.DependsOn ?? []].flat()) {
      if (!(dependency in resources))
        problems.push(`${path}: DependsOn unknown resource ${dependency}`);
    }
    const resourceSpec = spec.resource(declared.Type);
    if (!resourceSpec) {
      problems.push(`${path}: unknown resource type ${declared.Type}`);
      continue;
    }
    checkStruct(declared.Properties ?? {}, resourceSpec.properties, `${path}.Properties`, problems);
    checkReferences(declared.Properties, `${path}.Properties`);
  }
  for (const [name, condition] of Object.entries(conditions)) {
    checkReferences(condition, `Conditions.${name}`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    checkReferences(output, `Outputs.${name}`);
  }
  return problems;
}
