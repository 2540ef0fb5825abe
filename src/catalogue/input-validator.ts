import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS; under ESM interop its plugin function sits on `default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** Checks a tool's arguments; after a `false`, `errors` says why (ajv's shape). */
export interface InputValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * A compiler with its own ajv instance, for one catalogue load (or one set of constant schemas): each
 * schema compiles once, and what ajv keeps belongs to that catalogue, not to the process.
 *
 * Compiling is ajv's code generation, about 5 ms a schema on this project's machine kind: 600 tools made
 * every start (and every app a test builds) seconds slower for validators most processes never call. So
 * a schema is checked against the draft-07 meta-schema at load, which refuses what compiling would
 * refuse (bad types, keywords of the wrong shape) for a schema without references or patterns, and
 * compiled on its first use. A schema with a `$ref` or a `pattern` compiles at load, since only
 * compiling resolves references and builds regular expressions. `eager` compiles every schema at load
 * (`validate-tools`).
 */
export function newValidatorCompiler(options: { eager?: boolean } = {}): (schema: object) => InputValidator {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  addFormats(ajv);
  return (schema) => {
    const text = JSON.stringify(schema);
    if (options.eager || text.includes('"$ref"') || text.includes('"pattern')) return ajv.compile(schema);
    if (!ajv.validateSchema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors)}`);
    return compileOnFirstUse(ajv, schema);
  };
}

function compileOnFirstUse(ajv: Ajv, schema: object): InputValidator {
  let compiled: ValidateFunction | undefined;
  const validate: InputValidator = (data) => {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data) as boolean;
    validate.errors = compiled.errors;
    return valid;
  };
  return validate;
}

/** Names the field each ajv error is about, e.g. `owner: must be string`, `(root): must have required property 'repo'`. */
export function describeInputErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const field = e.instancePath
      ? e.instancePath.slice(1).replaceAll('/', '.')
      : (e.params as { missingProperty?: string }).missingProperty;
    return `${field ?? '(root)'}: ${e.message ?? 'is invalid'}`;
  });
}
