import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import type { LoadedSpec } from '../model.ts';

/** A GraphQL schema in SDL; operations are `Query.<field>` / `Mutation.<field>`. */
export function loadGraphql(file: string): LoadedSpec {
  return { kind: 'graphql', schema: buildSchema(readFileSync(file, 'utf8'), { assumeValidSDL: true }) };
}
