import ts from 'typescript';
import type { LoadedSpec, SpecOperation } from '../model.ts';
import { argumentSchema } from './ts-types.ts';

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
    const argType = argument ? checker.getTypeOfSymbolAtLocation(argument, methodsClass) : undefined;
    const schema = argType ? argumentSchema(checker, checker.getNonNullableType(argType), methodsClass) : { properties: {}, required: [] };
    return {
      id,
      methods: ['GET', 'POST'],
      path: `/api/${id}`,
      params: [],
      body: { media: ['json', 'form'], schema },
      argsAnywhere: true,
      knowsRequired: true,
    };
  };
  return { kind: 'rest', operation };
}
