import { dereference, validate } from '@readme/openapi-parser';
import { ImportError } from './errors.ts';

/** A dereferenced OpenAPI 3.x or Swagger 2 document, read loosely: the importer checks what it uses. */
export type Spec = Record<string, any>;

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? text;

/**
 * Reads, validates and dereferences a spec with @readme/openapi-parser (JSON or YAML, a file or an
 * http(s) URL; every `$ref` resolved by the parser, never by us). An unreadable source or an invalid
 * document is an ImportError carrying the parser's own message.
 */
export async function readSpec(source: string): Promise<Spec> {
  let result: Awaited<ReturnType<typeof validate>>;
  try {
    result = await validate(source, { resolve: { http: { timeout: 15_000 } } });
  } catch (error) {
    throw new ImportError(`cannot read ${source}: ${firstLine((error as Error).message)}`);
  }
  if (!result.valid) {
    const [first] = result.errors;
    const more = result.errors.length - 1 + result.additionalErrors;
    throw new ImportError(
      `${source} is not a valid OpenAPI document: ${firstLine(first?.message ?? 'unknown error')}${more > 0 ? ` (and ${more} more)` : ''}`,
    );
  }
  try {
    return (await dereference(source)) as Spec;
  } catch (error) {
    throw new ImportError(`cannot resolve the references of ${source}: ${firstLine((error as Error).message)}`);
  }
}

/** Swagger 2 (`swagger: "2.0"`) or OpenAPI 3.x. */
export const isSwagger2 = (spec: Spec): boolean => typeof spec.swagger === 'string';
