import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecSchema } from '../model.ts';

/**
 * The generated client of an `@googleapis/<api>` package (`v1.ts`), read as the Discovery document it
 * was generated from (npm ships Google's Discovery documents only as this code): each method of a
 * `Resource$A$B` class names its URL, HTTP method and path parameters in a literal, and its
 * `Params$Resource$A$B$Method` interface lists the query parameters and the `requestBody` schema. Method
 * ids are Discovery's: `<api>.<a>.<b>.<method>` (`gmail.users.messages.send`).
 */
export function loadGoogleapisTypescript(file: string): LoadedSpec {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const classes: ts.ClassDeclaration[] = [];
  // `this.calendarList = new Resource$Calendarlist(..)` in the class above: the resource names of method ids
  const parent = new Map<string, { owner: string; property: string }>();
  let api = '';
  let owner = '';
  const visit = (node: ts.Node) => {
    if (ts.isModuleDeclaration(node) && !api) api = node.name.getText(source).replace(/_v[\w]+$/, '');
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    if (ts.isClassDeclaration(node) && node.name) {
      owner = node.name.text;
      if (owner.startsWith('Resource$')) classes.push(node);
    }
    if (ts.isBinaryExpression(node) && ts.isNewExpression(node.right) && ts.isPropertyAccessExpression(node.left))
      parent.set(node.right.expression.getText(source), { owner, property: node.left.name.text });
    ts.forEachChild(node, visit);
  };
  visit(source);
  const resourcePath = (cls: string): string[] => {
    const up = parent.get(cls);
    return up ? [...resourcePath(up.owner), up.property] : [];
  };

  const typeToSchema = (type: ts.TypeNode | undefined, depth: number): SpecSchema => {
    if (!type || depth > 6) return { open: true };
    if (type.kind === ts.SyntaxKind.StringKeyword) return { type: ['string'] };
    if (type.kind === ts.SyntaxKind.NumberKeyword) return { type: ['number'] };
    if (type.kind === ts.SyntaxKind.BooleanKeyword) return { type: ['boolean'] };
    // the generator writes `any` where Discovery says `type: any` (Sheets' cell values): any JSON value
    if (type.kind === ts.SyntaxKind.AnyKeyword || type.kind === ts.SyntaxKind.UnknownKeyword) return { open: true };
    if (ts.isArrayTypeNode(type)) return { type: ['array'], items: typeToSchema(type.elementType, depth + 1) };
    if (ts.isUnionTypeNode(type)) {
      const members = type.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      return members.length === 1 ? typeToSchema(members[0], depth) : { open: true };
    }
    if (ts.isTypeReferenceNode(type)) {
      const declaration = interfaces.get(type.typeName.getText(source));
      return declaration ? interfaceSchema(declaration, depth + 1) : { open: true };
    }
    return { type: ['object'], open: true };
  };
  // with the members it inherits: every `Params$…` extends `StandardParameters` (`fields`, `quotaUser`, …),
  // which Discovery lists as parameters every method takes
  const ownAndInherited = (declaration: ts.InterfaceDeclaration): ts.PropertySignature[] => [
    ...(declaration.heritageClauses ?? []).flatMap((clause) =>
      clause.types.flatMap((base) => {
        const inherited = interfaces.get(base.expression.getText(source));
        return inherited ? ownAndInherited(inherited) : [];
      }),
    ),
    ...declaration.members.filter(ts.isPropertySignature),
  ];
  const interfaceSchema = (declaration: ts.InterfaceDeclaration, depth: number): SpecSchema => ({
    type: ['object'],
    properties: Object.fromEntries(
      ownAndInherited(declaration).map((m) => [m.name.getText(source).replace(/^'|'$/g, ''), typeToSchema(m.type, depth)]),
    ),
  });

  const paramsByName = new Map([...interfaces].map(([n, d]) => [n.toLowerCase(), d]));
  const operations = new Map<string, SpecOperation>();
  for (const cls of classes) {
    const resource = cls.name!.text.slice('Resource$'.length);
    for (const member of cls.members) {
      if (!ts.isMethodDeclaration(member) || !member.body) continue;
      const name = member.name.getText(source);
      const literal = findCall(member.body, source);
      if (!literal) continue;
      const id = [api, ...resourcePath(cls.name!.text), name].join('.');
      // the generator capitalises only the first letter of each name (`Params$Resource$Events$Quickadd`)
      const params = paramsByName.get(`params$resource$${resource}$${name}`.toLowerCase());
      const fields = params ? (interfaceSchema(params, 0).properties ?? {}) : {};
      const bodyType = params?.members.filter(ts.isPropertySignature).find((m) => m.name.getText(source) === 'requestBody')?.type;
      operations.set(id, {
        id,
        methods: [literal.method],
        path: literal.path,
        params: Object.entries(fields)
          .filter(([n]) => n !== 'requestBody' && n !== 'media')
          .map(([n, schema]) => ({
            name: n,
            in: literal.pathParams.includes(n) ? 'path' : 'query',
            required: literal.requiredParams.includes(n),
            schema,
          })),
        body: bodyType ? { media: ['json'], schema: typeToSchema(bodyType, 0) } : undefined,
        knowsRequired: false,
      });
    }
  }
  return { kind: 'rest', operation: (id) => operations.get(id), ids: () => [...operations.keys()] };
}

/** The `{ url: (rootUrl + '/path').replace(..), method: 'POST' }`, `requiredParams`, `pathParams` literals of one method. */
function findCall(body: ts.Node, source: ts.SourceFile) {
  let path: string | undefined;
  let method: string | undefined;
  let requiredParams: string[] = [];
  let pathParams: string[] = [];
  const strings = (node: ts.Node) => (ts.isArrayLiteralExpression(node) ? node.elements.filter(ts.isStringLiteral).map((e) => e.text) : []);
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node)) {
      const key = node.name.getText(source);
      if (key === 'url' && path === undefined) {
        const text = node.initializer.getText(source).match(/rootUrl\s*\+\s*'([^']+)'/);
        if (text) path = `/${text[1]}`.replace(/\/{2,}/g, '/');
      } else if (key === 'method' && ts.isStringLiteral(node.initializer)) method ??= node.initializer.text;
      else if (key === 'requiredParams') requiredParams = strings(node.initializer);
      else if (key === 'pathParams') pathParams = strings(node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return path && method ? { path: path.replace(/\{\+/g, '{'), method, requiredParams, pathParams } : undefined;
}
