import ts from 'typescript';
import type { SpecSchema } from '../model.ts';

/** `string`, `number` and `boolean` as a SpecSchema; undefined for any other type. */
export function keywordSchema(node: ts.TypeNode): SpecSchema | undefined {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: ['string'] };
    case ts.SyntaxKind.NumberKeyword:
      return { type: ['number'] };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: ['boolean'] };
    default:
      return undefined;
  }
}

/**
 * What a TypeScript type, as written (no type checker), admits, as a SpecSchema: keywords, arrays,
 * literal unions (enums), type literals with their members (a member without `?` is required), and
 * names resolved through `resolve` (a type alias's type, or undefined where the name is not followed).
 * Generated SDKs declare their wire types this way, so reading the syntax is reading the generator's output.
 */
export function syntaxSchema(node: ts.TypeNode, resolve: (name: string) => ts.TypeNode | undefined, depth = 0): SpecSchema {
  if (depth > 8) return { open: true };
  const keyword = keywordSchema(node);
  if (keyword) return keyword;
  const next = (n: ts.TypeNode) => syntaxSchema(n, resolve, depth + 1);
  if (ts.isTypeOperatorNode(node) || ts.isParenthesizedTypeNode(node)) return syntaxSchema(node.type, resolve, depth);
  if (ts.isArrayTypeNode(node)) return { type: ['array'], items: next(node.elementType) };
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal;
    if (ts.isStringLiteral(literal)) return { type: ['string'], enum: [literal.text] };
    if (ts.isNumericLiteral(literal)) return { type: ['number'], enum: [Number(literal.text)] };
    if (ts.isPrefixUnaryExpression(literal) && ts.isNumericLiteral(literal.operand))
      return { type: ['number'], enum: [-Number(literal.operand.text)] };
    if (literal.kind === ts.SyntaxKind.TrueKeyword || literal.kind === ts.SyntaxKind.FalseKeyword) return { type: ['boolean'] };
    return { open: true };
  }
  if (ts.isUnionTypeNode(node)) {
    const variants = node.types
      .filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword))
      .filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword)
      .map(next);
    // `'asc' | 'desc' | string`: an enum the generator keeps open to values the SDK does not know yet
    const types = [...new Set(variants.flatMap((s) => s.type ?? []))];
    if (variants.some((s) => !s.type) || types.length === 0) return { open: true };
    const closed = variants.every((s) => s.enum);
    return closed ? { type: types, enum: variants.flatMap((s) => s.enum!) } : { type: types };
  }
  if (ts.isTypeLiteralNode(node)) {
    const properties: Record<string, SpecSchema> = {};
    const required: string[] = [];
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : member.name.getText();
      properties[name] = next(member.type);
      if (!member.questionToken) required.push(name);
    }
    const open = node.members.some((m) => ts.isIndexSignatureDeclaration(m));
    return { type: ['object'], properties, required, ...(open ? { open: true } : {}) };
  }
  if (ts.isIntersectionTypeNode(node)) {
    // `{ email: string } & { first_name?: string }`: one object with the members of every part
    const parts = node.types.map(next);
    if (parts.some((p) => !p.properties)) return { open: true };
    return {
      type: ['object'],
      properties: Object.assign({}, ...parts.map((p) => p.properties)),
      required: parts.flatMap((p) => p.required ?? []),
      ...(parts.some((p) => p.open) ? { open: true } : {}),
    };
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Date' || name === 'DateTime') return { type: ['string'] };
    const target = resolve(name);
    if (target) return syntaxSchema(target, resolve, depth + 1);
  }
  return { open: true };
}
