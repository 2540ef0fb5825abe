/** The value at a dot path (`user.email`, `authed_user.access_token`) of parsed JSON, or undefined. */
export function atDotPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}
