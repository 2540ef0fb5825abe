import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecSchema } from '../model.ts';

/**
 * `@slack/web-api`'s typed method table (`dist/methods.d.ts`): the `Methods` class nests each Web API
 * method (`chat.postMessage` is `chat.postMessage`) with its argument type, which the TypeScript checker
 * resolves. Slack takes every argument from the query string or the body (form or JSON) of a GET or a
 * POST to `/api/<method>` (docs.slack.dev/apis/web-api, "Basics"); a property is required when every
 * variant of the argument type requires it.
 */
export function loadSlackWebApi(file: string): LoadedSpec {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const methodsClass = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'Methods');
  if (!methodsClass) throw new Error(`${file} has no Methods class`);
  const root = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(methodsClass.name!)!);

  const schemaOf = (type: ts.Type): SpecSchema => {
    const members = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    const types = new Set<string>();
    for (const t of members) {
      if (t.flags & ts.TypeFlags.StringLike) types.add('string');
      else if (t.flags & ts.TypeFlags.NumberLike) types.add('number');
      else if (t.flags & ts.TypeFlags.BooleanLike) types.add('boolean');
      else if (checker.isArrayType(t)) types.add('array');
      else if (t.flags & ts.TypeFlags.Object) types.add('object');
      else return { open: true };
    }
    return { type: [...types], open: true };
  };

  const operation = (id: string): SpecOperation | undefined => {
    let type: ts.Type = root;
    for (const part of id.split('.')) {
      const prop = type.getProperty(part);
      if (!prop) return undefined;
      type = checker.getTypeOfSymbolAtLocation(prop, methodsClass);
    }
    const signature = type.getCallSignatures()[0];
    if (!signature) return undefined;
    const argument = signature.getParameters()[0];
    const argType = argument ? checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(argument, methodsClass)) : undefined;
    const variants = argType ? (argType.isUnion() ? argType.types : [argType]) : [];
    const properties: Record<string, SpecSchema> = {};
    const requiredIn = new Map<string, number>();
    for (const variant of variants) {
      for (const prop of checker.getPropertiesOfType(variant)) {
        properties[prop.name] ??= schemaOf(checker.getTypeOfSymbolAtLocation(prop, methodsClass));
        if (!(prop.flags & ts.SymbolFlags.Optional)) requiredIn.set(prop.name, (requiredIn.get(prop.name) ?? 0) + 1);
      }
    }
    const required = [...requiredIn].filter(([, n]) => n === variants.length).map(([name]) => name);
    return {
      id,
      methods: ['GET', 'POST'],
      path: `/api/${id}`,
      params: [],
      body: { media: ['json', 'form'], schema: { properties, required } },
      argsAnywhere: true,
      knowsRequired: true,
    };
  };
  return { kind: 'rest', operation };
}
