import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkGraph, importGraph } from '../../scripts/check-layers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

describe('layer check', () => {
  it('src/ and storage/ import only their own layer or lower ones, the edge no repo, with no cycle', () => {
    expect(checkGraph(importGraph(root))).toEqual({ forbidden: [], cycles: [] });
  });

  it('names an upward import with both layers, and every edge of a cycle', () => {
    const report = checkGraph(
      graph({
        'src/services/a.ts': ['src/api/wire/b.ts', 'src/execution/c.ts'],
        'src/api/wire/b.ts': [],
        'src/execution/c.ts': ['src/execution/d.ts'],
        'src/execution/d.ts': ['src/execution/c.ts'],
      }),
      [],
    );
    expect(report.forbidden).toEqual(['src/services/a.ts (features) -> src/api/wire/b.ts (edge): upward']);
    expect(report.cycles).toEqual(['src/execution/c.ts -> src/execution/d.ts, src/execution/d.ts -> src/execution/c.ts']);
  });

  it('refuses a route that reads rows itself: the edge reaches storage through a feature', () => {
    const report = checkGraph(
      graph({
        'src/api/things.ts': ['storage/repos/things.ts', 'src/services/things.ts'],
        'src/services/things.ts': ['storage/repos/things.ts'],
        'storage/repos/things.ts': [],
      }),
      [],
    );
    expect(report.forbidden).toEqual([
      'src/api/things.ts (edge) -> storage/repos/things.ts (storage): the edge reaches data through a feature',
    ]);
  });

  it('refuses a file no layer names, and an allowance lifts only its own edge', () => {
    const report = checkGraph(
      graph({ 'src/new-helper.ts': [], 'src/vault/x.ts': ['src/vault/y.ts'], 'src/vault/y.ts': ['src/vault/x.ts'] }),
      ['src/vault/y.ts -> src/vault/x.ts'],
    );
    expect(report.forbidden).toEqual(['src/new-helper.ts: in no layer (add it to LAYERS in scripts/check-layers.ts)']);
    expect(report.cycles).toEqual([]);
  });
});
