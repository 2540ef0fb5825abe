import ts from 'typescript';
import type { SpecSchema } from '../model.ts';

/**
 * What a TypeScript type (of an SDK's typed arguments) admits, as a SpecSchema: its JSON types, and an
 * enum when it is a union of string literals. Objects stay open (their members are not followed).
 */
export function typeSchema(checker: ts.TypeChecker, type: ts.Type): SpecSchema {
  const members = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
  const types = new Set<string>();
  const literals: unknown[] = [];
  for (const t of members) {
    if (t.isStringLiteral()) literals.push(t.value);
    if (t.flags & ts.TypeFlags.StringLike) types.add('string');
    else if (t.flags & ts.TypeFlags.NumberLike) types.add('number');
    else if (t.flags & ts.TypeFlags.BooleanLike) types.add('boolean');
    else if (checker.isArrayType(t)) types.add('array');
    else if (t.flags & ts.TypeFlags.Object) types.add('object');
    else return { open: true };
  }
  const onlyLiterals = literals.length > 0 && literals.length === members.length;
  return { type: [...types], open: true, ...(onlyLiterals ? { enum: literals } : {}) };
}

/**
 * The properties of an argument type; a union's variants are merged, and a property is required when
 * every variant requires it, and admits what any variant admits. An array variant (a body that also takes a batch of the same objects) names
 * no arguments.
 */
export function argumentSchema(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): SpecSchema {
  const variants = (type.isUnion() ? type.types : [type]).filter((t) => !checker.isArrayType(t));
  const properties: Record<string, SpecSchema> = {};
  const requiredIn = new Map<string, number>();
  for (const variant of variants) {
    for (const prop of checker.getPropertiesOfType(variant)) {
      const schema = typeSchema(checker, checker.getTypeOfSymbolAtLocation(prop, at));
      properties[prop.name] = properties[prop.name] ? either(properties[prop.name]!, schema) : schema;
      if (!(prop.flags & ts.SymbolFlags.Optional)) requiredIn.set(prop.name, (requiredIn.get(prop.name) ?? 0) + 1);
    }
  }
  const required = [...requiredIn].filter(([, n]) => n === variants.length).map(([name]) => name);
  return { properties, required };
}

/** What a property admits in one variant or another: the union of their types, and of their enums when each has one (`type` of a DNS record: `'A'` in one variant, `'CNAME'` in the next). */
function either(a: SpecSchema, b: SpecSchema): SpecSchema {
  if (a.open && !a.type) return a;
  if (b.open && !b.type) return b;
  const out: SpecSchema = { type: [...new Set([...(a.type ?? []), ...(b.type ?? [])])], open: true };
  if (a.enum && b.enum) out.enum = [...new Set([...a.enum, ...b.enum])];
  return out;
}

/** How an SDK's TypeScript source is read: its types only, none of its dependencies' or the platform's. */
export const SDK_OPTIONS: ts.CompilerOptions = { noEmit: true, skipLibCheck: true, types: [] };

/** A compiler host that parses each file once, for a program per operation of an SDK whose files import the same models and core. */
export function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const parsed = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) => {
    if (!parsed.has(name)) parsed.set(name, getSourceFile(name, version, onError));
    return parsed.get(name);
  };
  return host;
}
