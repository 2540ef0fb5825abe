import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import ts from 'typescript';
import type { LoadedSpec } from '../model.ts';

/**
 * A GraphQL schema read back from the TypeScript that GraphQL Code Generator's `typescript` plugin writes
 * for it (an SDK's bundled `.d.ts`, e.g. @linear/sdk, whose repository holds the schema.graphql that npm
 * does not ship). The plugin's output is a faithful, mechanical image of the schema:
 * - an object type is `type T = { __typename?: "T"; field: F }`, `type T = I1 & I2 & { ... }` where it
 *   implements the interfaces I1, I2 (written without `__typename`);
 * - a field's arguments are `type <Type><Field>Args = { ... }` (`QueryIssuesArgs` for `Query.issues`,
 *   `MutationCreate_ItemArgs` for `Mutation.create_item`);
 * - an input object is a type literal without `__typename`, reached from some arguments;
 * - an enum is `declare enum E { Key = "value" }` (the value is the GraphQL name); a union `type U = A | B`;
 * - a scalar is a member of `Scalars` (`Scalars["String"]`, or `Scalars["String"]["input"]` in newer versions); `Maybe<X>` / `InputMaybe<X>` is nullable X and anything else is
 *   non-null; `Array<X>` is a list; an optional member that is not `Maybe` has a default value.
 *   Descriptions and the default values themselves are not kept: the schema serves `validate`.
 * The SDK's own documents (`IssuesQuery`, `IssueFragment`) carry a `__typename` that is not their name
 * and are left out.
 */
export function loadGraphqlCodegenTypescript(file: string): LoadedSpec {
  return { kind: 'graphql', schema: buildSchema(codegenTypescriptToSdl(readFileSync(file, 'utf8'))) };
}

const BUILT_IN_SCALARS = new Set(['ID', 'String', 'Boolean', 'Int', 'Float']);

export function codegenTypescriptToSdl(source: string): string {
  const sf = ts.createSourceFile('schema.d.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const aliases = new Map<string, ts.TypeNode>();
  const enums = new Map<string, string[]>();
  for (const statement of sf.statements) {
    if (ts.isTypeAliasDeclaration(statement) && !statement.typeParameters) aliases.set(statement.name.text, statement.type);
    if (ts.isEnumDeclaration(statement))
      enums.set(
        statement.name.text,
        statement.members.map((m) => (m.initializer && ts.isStringLiteral(m.initializer) ? m.initializer.text : m.name.getText(sf))),
      );
  }
  const scalarsAlias = aliases.get('Scalars');
  if (!scalarsAlias || !ts.isTypeLiteralNode(scalarsAlias))
    throw new Error('no `type Scalars = { ... }`: not GraphQL Code Generator output');
  const scalars = scalarsAlias.members.flatMap((m) => (m.name ? [memberName(m, sf)] : [])).filter((n) => !BUILT_IN_SCALARS.has(n));

  const objects = new Map<string, { interfaces: string[]; members: ts.TypeElement[] }>();
  for (const [name, node] of aliases) {
    const parts = ts.isIntersectionTypeNode(node) ? [...node.types] : [node];
    const literal = parts.at(-1);
    if (!literal || !ts.isTypeLiteralNode(literal) || typenameOf(literal, sf) !== name) continue;
    const interfaces = parts.slice(0, -1).map((p) => (ts.isTypeReferenceNode(p) ? p.typeName.getText(sf) : ''));
    if (interfaces.includes('')) continue;
    objects.set(name, { interfaces, members: literal.members.filter((m) => memberName(m, sf) !== '__typename') });
  }
  const interfaces = new Set([...objects.values()].flatMap((o) => o.interfaces));
  const unions = new Map<string, string[]>();
  for (const [name, node] of aliases) {
    if (!ts.isUnionTypeNode(node)) continue;
    const members = node.types.map((t) => (ts.isTypeReferenceNode(t) ? t.typeName.getText(sf) : ''));
    if (members.every((m) => objects.has(m))) unions.set(name, members);
  }

  // input objects: every type literal reached from some field's arguments, and from those inputs
  const inputs = new Map<string, ts.TypeElement[]>();
  const reach = (members: readonly ts.TypeElement[]) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const named = innermostName(m.type, sf);
      if (!named || inputs.has(named) || enums.has(named) || objects.has(named)) continue;
      const alias = aliases.get(named);
      if (alias && ts.isTypeLiteralNode(alias)) {
        inputs.set(named, [...alias.members]);
        reach(alias.members);
      }
    }
  };
  // the plugin's naming convention capitalises each word of the field name, keeping underscores
  // (`create_item` → `MutationCreate_ItemArgs`) or, with `transformUnderscore`, dropping them
  const argsOf = (type: string, field: string) => {
    const kept = field.replace(/(^|_)([a-z])/g, (_, underscore: string, c: string) => underscore + c.toUpperCase());
    const alias = aliases.get(`${type}${kept}Args`) ?? aliases.get(`${type}${kept.replaceAll('_', '')}Args`);
    return alias && ts.isTypeLiteralNode(alias) ? alias.members : undefined;
  };
  for (const [name, { members }] of objects)
    for (const m of members) {
      const args = argsOf(name, memberName(m, sf));
      if (args) reach(args);
    }

  const field = (m: ts.TypeElement, args?: readonly ts.TypeElement[]): string => {
    if (!ts.isPropertySignature(m) || !m.type) throw new Error(`unexpected member ${m.getText(sf)}`);
    const list = args?.length ? `(${args.map((a) => field(a)).join(', ')})` : '';
    const type = graphqlType(m.type, sf);
    // an optional member that is not Maybe is a non-null argument or input field with a default value:
    // the value is lost, but that there is one decides whether a nullable variable may fill it
    // (GraphQL spec, "All Variable Usages Are Allowed"), so any value of the type stands for it
    const defaulted = m.questionToken && type.endsWith('!') ? ` = ${placeholder(type.slice(0, -1))}` : '';
    return `${memberName(m, sf)}${list}: ${type}${defaulted}`;
  };
  const placeholder = (type: string): string => {
    if (type.startsWith('[')) return '[]';
    if (enums.has(type)) return enums.get(type)![0]!;
    if (inputs.has(type)) return '{}';
    return ({ Int: '0', Float: '0', Boolean: 'false' } as Record<string, string>)[type] ?? '""';
  };
  const interfaceFields = (name: string) => {
    const alias = aliases.get(name);
    if (!alias || !ts.isTypeLiteralNode(alias)) throw new Error(`interface ${name} is not a type literal`);
    return alias.members;
  };
  const out: string[] = [];
  for (const name of scalars) out.push(`scalar ${name}`);
  for (const [name, values] of enums) out.push(`enum ${name} { ${values.join(' ')} }`);
  for (const name of interfaces)
    out.push(
      `interface ${name} { ${interfaceFields(name)
        .map((m) => field(m))
        .join(' ')} }`,
    );
  for (const [name, { interfaces: implemented, members }] of objects) {
    const impl = implemented.length ? ` implements ${implemented.join(' & ')}` : '';
    out.push(`type ${name}${impl} { ${members.map((m) => field(m, argsOf(name, memberName(m, sf)))).join(' ')} }`);
  }
  for (const [name, members] of unions) out.push(`union ${name} = ${members.join(' | ')}`);
  for (const [name, members] of inputs) out.push(`input ${name} { ${members.map((m) => field(m)).join(' ')} }`);
  return out.join('\n');
}

function memberName(m: ts.TypeElement, sf: ts.SourceFile): string {
  const name = m.name!;
  return ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : name.getText(sf);
}

function typenameOf(literal: ts.TypeLiteralNode, sf: ts.SourceFile): string | undefined {
  const member = literal.members.find((m) => m.name && memberName(m, sf) === '__typename');
  const type = member && ts.isPropertySignature(member) ? member.type : undefined;
  return type && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal) ? type.literal.text : undefined;
}

/** The GraphQL type a member's TypeScript type stands for: `Maybe<Array<Scalars["String"]>>` is `[String!]`. */
function graphqlType(node: ts.TypeNode, sf: ts.SourceFile): string {
  const [inner, nullable] = unwrapMaybe(node, sf);
  return nullable ? bare(inner, sf) : `${bare(inner, sf)}!`;
}

function bare(node: ts.TypeNode, sf: ts.SourceFile): string {
  if (ts.isIndexedAccessTypeNode(node)) {
    // Scalars["String"], or Scalars["String"]["input"] as newer versions of the plugin write it
    const scalar = ts.isIndexedAccessTypeNode(node.objectType) ? node.objectType : node;
    if (ts.isLiteralTypeNode(scalar.indexType) && ts.isStringLiteral(scalar.indexType.literal)) return scalar.indexType.literal.text;
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText(sf);
    if (name === 'Array' && node.typeArguments?.length === 1) return `[${graphqlType(node.typeArguments[0]!, sf)}]`;
    if (!node.typeArguments) return name;
  }
  throw new Error(`a type GraphQL Code Generator does not write: ${node.getText(sf)}`);
}

function unwrapMaybe(node: ts.TypeNode, sf: ts.SourceFile): [ts.TypeNode, boolean] {
  if (ts.isTypeReferenceNode(node) && ['Maybe', 'InputMaybe'].includes(node.typeName.getText(sf)) && node.typeArguments?.length === 1)
    return [node.typeArguments[0]!, true];
  return [node, false];
}

/** The named type at the bottom of `InputMaybe<Array<IssueFilter>>`: `IssueFilter`. */
function innermostName(node: ts.TypeNode, sf: ts.SourceFile): string | undefined {
  if (ts.isTypeReferenceNode(node)) {
    const args = node.typeArguments;
    if (args?.length === 1) return innermostName(args[0]!, sf);
    return args ? undefined : node.typeName.getText(sf);
  }
  return undefined;
}
