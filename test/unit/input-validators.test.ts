import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { oneToolKit } from '../helpers/one-tool-kit.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

// Input validators compile on a tool's first call, not at load; a schema ajv could not compile must
// still stop the load, naming the tool, and a validator compiled late must judge as one compiled early.
const dir = makeTempDir('latchkey-validators-');
afterAll(() => dir.cleanup());

let n = 0;
function loadWith(inputParameters: object, options: { compileValidatorsNow?: boolean } = {}) {
  const folder = `${dir.path}/${++n}`;
  mkdirSync(folder);
  writeFileSync(
    `${folder}/kit.json`,
    JSON.stringify(
      oneToolKit({
        description: 'Finds the things whose name matches the query, ten at a time.',
        input_parameters: inputParameters,
        request: { method: 'GET', path: '/things' },
      }),
    ),
  );
  return loadCatalogue([folder], options);
}

describe('tool input validators', () => {
  it.each([
    ['a type that does not exist', { type: 'object', properties: { q: { type: 'strin' } } }],
    ['required that is not a list', { type: 'object', properties: { q: { type: 'string' } }, required: 'q' }],
    ['a pattern that is no regular expression', { type: 'object', properties: { q: { type: 'string', pattern: '(' } } }],
    ['a reference that leads nowhere', { type: 'object', properties: { q: { $ref: '#/definitions/missing' } } }],
  ])('refuse at load %s, naming the tool', (_, schema) => {
    expect(() => loadWith(schema)).toThrow(/tools\[0\] \(KIT_X\)\.input_parameters: not a valid JSON Schema/);
  });

  it('judge arguments on first use as a validator compiled at load does', () => {
    const schema = {
      type: 'object',
      properties: { q: { type: 'string', minLength: 2 }, n: { type: 'integer', default: 10 } },
      required: ['q'],
      additionalProperties: false,
    };
    for (const compileValidatorsNow of [false, true]) {
      const validate = loadWith(schema, { compileValidatorsNow }).tool('KIT_X')!.validate;
      expect(validate({ q: 'x', extra: 1 })).toBe(false);
      expect(validate.errors?.map((e) => e.message)).toEqual([
        'must NOT have additional properties',
        'must NOT have fewer than 2 characters',
      ]);
      const args: Record<string, unknown> = { q: 'xy' };
      expect(validate(args)).toBe(true);
      expect(args).toEqual({ q: 'xy', n: 10 });
      expect(validate({})).toBe(false);
      expect(validate.errors?.map((e) => e.params)).toEqual([{ missingProperty: 'q' }]);
    }
  });
});
