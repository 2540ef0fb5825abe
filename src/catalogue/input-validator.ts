import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS; under ESM interop its plugin function sits on `default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

export type InputValidator = ValidateFunction;

/**
 * A compiler with its own ajv instance, for one catalogue load (or one set of constant schemas): each
 * schema compiles once, and what ajv keeps belongs to that catalogue, not to the process.
 */
export function newValidatorCompiler(): (schema: object) => InputValidator {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  addFormats(ajv);
  return (schema) => ajv.compile(schema);
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
