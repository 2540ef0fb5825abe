/**
 * The non-secret fields a token response may add to a connection (Salesforce's `instance_url`, a
 * Trello member id). A provider's answer is not trusted to write anything else: only the names the
 * toolkit declares in `token_response_fields`, only short single-line strings, and never a name the
 * user or operator sets (a connection field), so no response can re-point a connection.
 */
export const MAX_TOKEN_FIELD_LENGTH = 512;

export function tokenResponseData(
  declared: readonly string[],
  protectedNames: ReadonlySet<string>,
  response: Record<string, unknown>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of declared) {
    if (protectedNames.has(name) || !Object.hasOwn(response, name)) continue;
    const value = response[name];
    if (typeof value !== 'string' || value === '' || value.length > MAX_TOKEN_FIELD_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) continue;
    kept[name] = value;
  }
  return kept;
}
