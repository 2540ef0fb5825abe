import { describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { prepareArguments, ToolInputError } from '../../src/execution/execute.ts';

/** Tools of the built-in catalogue corrected against the providers' docs and Composio's tools (issue 20). */
const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR]);
const entry = (slug: string) => catalogue.tool(slug)!;

function refusal(slug: string, args: unknown): string | undefined {
  try {
    prepareArguments(entry(slug), args);
    return undefined;
  } catch (error) {
    if (error instanceof ToolInputError) return error.message;
    throw error;
  }
}

describe('AIRTABLE_GET_RECORD', () => {
  const record = { baseId: 'appXyZ123abcDEF45', tableIdOrName: 'Tasks', recordId: 'recAbC123defGHI67' };

  it('says Airtable omits empty fields', () => {
    expect(entry('AIRTABLE_GET_RECORD').tool.description).toMatch(/omits empty fields/);
    expect(entry('AIRTABLE_GET_RECORD').tool.description).not.toMatch(/including empty/);
  });

  it("takes timeZone and userLocale, both required with cellFormat 'string'", () => {
    for (const slug of ['AIRTABLE_GET_RECORD', 'AIRTABLE_LIST_RECORDS']) {
      const args = slug === 'AIRTABLE_GET_RECORD' ? record : { baseId: record.baseId, tableIdOrName: record.tableIdOrName };
      expect(refusal(slug, { ...args, cellFormat: 'string' }), slug).toMatch(/timeZone/);
      expect(refusal(slug, { ...args, cellFormat: 'string', timeZone: 'Europe/Paris' }), slug).toMatch(/userLocale/);
      expect(refusal(slug, { ...args, cellFormat: 'string', timeZone: 'Europe/Paris', userLocale: 'en-gb' }), slug).toBeUndefined();
      expect(refusal(slug, { ...args, cellFormat: 'json' }), slug).toBeUndefined();
    }
  });
});
