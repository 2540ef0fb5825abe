/**
 * Whether a parsed JSON value nests deeper than `max` levels. Iterative, so it cannot itself overflow
 * the stack: JSON.parse accepts any depth, but the recursive walks after it (JSON.stringify,
 * structuredClone, String() of an array, ajv) throw RangeError at a few thousand levels, which a
 * request well under the body limit reaches.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
