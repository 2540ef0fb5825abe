import { type GraphQLSchema, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import type { ToolDefinition } from '../../src/catalogue/schema.ts';

/**
 * A GraphQL tool sends a fixed document (its `query` argument's `const`) with its `variables` argument:
 * the document must validate against the schema (graphql-js `validate`, the spec's "Validation"
 * section), its root field must be the named operation (`Mutation.issueCreate`), and every variable the
 * tool offers must be one the document declares.
 */
export function checkGraphqlTool(tool: ToolDefinition, schema: GraphQLSchema, operation: string): string[] {
  const props: Record<string, any> = tool.input_parameters.properties ?? {};
  const text = props.query?.const ?? props.query?.default;
  if (typeof text !== 'string') return ['no fixed GraphQL document (input_parameters.properties.query.const)'];
  let document: ReturnType<typeof parse>;
  try {
    document = parse(text);
  } catch (error) {
    return [`the document does not parse: ${(error as Error).message}`];
  }
  const problems = validate(schema, document).map((e) => e.message);
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const [rootType, field] = operation.split('.');
  const roots = op?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
  const opType = op ? op.operation.charAt(0).toUpperCase() + op.operation.slice(1) : '';
  if (opType !== rootType || !roots.includes(field!))
    problems.push(`the document is ${opType} ${roots.join(', ')}, the source names ${operation}`);
  const declared = new Set(op?.variableDefinitions?.map((v) => v.variable.name.value) ?? []);
  for (const name of Object.keys(props.variables?.properties ?? {}))
    if (!declared.has(name)) problems.push(`variable ${name} is not declared by the document`);
  return problems;
}
