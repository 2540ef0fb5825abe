import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS; under ESM interop its plugin function sits on `default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** One ajv instance for the process: compiled validators are cached per tool, so each schema compiles once. */
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
addFormats(ajv);

export type InputValidator = ValidateFunction;

export function compileInputValidator(schema: object): InputValidator {
  return ajv.compile(schema);
}

/** Names the field each ajv error is about, e.g. `owner: must be string`, `(root): must have required property 'repo'`. */
export function describeInputErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const field = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : (e.params as { missingProperty?: string }).missingProperty;
    return `${field ?? '(root)'}: ${e.message ?? 'is invalid'}`;
  });
}
