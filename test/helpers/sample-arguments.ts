/**
 * Builds arguments that satisfy a tool's JSON Schema and exercise every property, so a catalogue-wide
 * test can call each tool without hand-written fixtures.
 */
type Schema = Record<string, any>;

function sampleString(name: string, schema: Schema): string {
  switch (schema.format) {
    case 'date-time':
      return '2026-01-02T03:04:05Z';
    case 'date':
      return '2026-01-02';
    case 'email':
      return 'person@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/x';
    default:
      break;
  }
  let value = `v-${name}`.replace(/[^A-Za-z0-9_-]/g, '');
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    for (const candidate of [
      value,
      'abc123',
      'ABC123',
      '12345',
      'abc',
      'a1b2c3d4',
      'rec12345678901234',
      'sk_test_abc123',
      'PROJ-1',
      'user@example.com',
    ]) {
      if (pattern.test(candidate)) return candidate;
    }
  }
  if (schema.minLength && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x');
  if (schema.maxLength && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  return value;
}

export function sampleValue(name: string, schema: Schema): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives)) return sampleValue(name, alternatives[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return sampleString(name, schema);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      return Math.min(Math.max(min, 2), max);
    }
    case 'boolean':
      return true;
    case 'array': {
      const count = Math.max(schema.minItems ?? 1, 1);
      return Array.from({ length: count }, (_, i) => sampleValue(`${name}${i}`, schema.items ?? { type: 'string' }));
    }
    case 'object':
      return sampleObject(schema);
    default:
      return `v-${name}`;
  }
}

/** With `oneOf`/`anyOf` branches that require different properties, only the first branch's are filled. */
export function sampleObject(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const branches: Schema[] = schema.oneOf ?? schema.anyOf ?? [];
  const first = new Set<string>(branches[0]?.required ?? []);
  const otherBranches = new Set<string>(
    branches
      .slice(1)
      .flatMap((b) => (b.required ?? []) as string[])
      .filter((n) => !first.has(n)),
  );
  for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) {
    if (!otherBranches.has(name)) out[name] = sampleValue(name, property);
  }
  for (let i = 1; Object.keys(out).length < (schema.minProperties ?? 0); i++) {
    out[`field_${i}`] = sampleValue(
      `field_${i}`,
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : { type: 'string' },
    );
  }
  return out;
}
