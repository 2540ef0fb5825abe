import type { z } from 'zod';
import type { authSchemeSchema } from '../../src/catalogue/schema.ts';
import type { Warnings } from './errors.ts';
import { isSwagger2, type Spec } from './read-spec.ts';

/** The security schemes a spec declares, by name (OpenAPI 3 `components.securitySchemes`, Swagger 2 `securityDefinitions`). */
export function declaredSchemes(spec: Spec): Record<string, Spec> {
  return (isSwagger2(spec) ? spec.securityDefinitions : spec.components?.securitySchemes) ?? {};
}

/** The security requirements an operation is under: its own, else the document's (OpenAPI 3.0.3 4.7.10). */
export function requirementsOf(spec: Spec, operation: Spec): Array<Record<string, string[]>> {
  return operation.security ?? spec.security ?? [];
}

/** A scheme as the file says it (defaults left to the loader). */
type AuthScheme = z.input<typeof authSchemeSchema>;

const secretField = (name: string, display: string) => ({ name, display_name: display, secret: true, required: true });

/**
 * One of our auth schemes for one declared scheme, or a warning why there is none: oauth2's
 * authorization code flow (Swagger 2 `accessCode`), an API key in a header or the query, HTTP bearer
 * and basic. `scopes` are the ones the chosen operations ask for.
 */
function convert(name: string, declared: Spec, scopes: string[], warnings: Warnings): AuthScheme | undefined {
  const type = declared.type;
  if (type === 'oauth2') {
    const flow = declared.flows?.authorizationCode ?? (declared.flow === 'accessCode' ? declared : undefined);
    if (!flow) {
      warnings.push(`security scheme ${name}: only the oauth2 authorization code flow is imported; left out`);
      return undefined;
    }
    return {
      mode: 'OAUTH2',
      authorization_url: flow.authorizationUrl,
      token_url: flow.tokenUrl,
      default_scopes: scopes,
      scope_separator: ' ',
      pkce: true,
      token_endpoint_auth: 'client_secret_post',
      inject: { headers: { Authorization: 'Bearer {{access_token}}' } },
      // PKCE and the client authentication are not in OpenAPI: the defaults (RFC 9700 2.1.1) stand until reviewed
    };
  }
  if (type === 'apiKey') {
    if (declared.in !== 'header' && declared.in !== 'query') {
      warnings.push(`security scheme ${name}: an API key in a ${declared.in} is not supported; left out`);
      return undefined;
    }
    const where = declared.in === 'header' ? 'headers' : 'query';
    return {
      mode: 'API_KEY',
      fields: [secretField('api_key', 'API key')],
      inject: { [where]: { [declared.name]: '{{api_key}}' } },
    };
  }
  if ((type === 'http' && String(declared.scheme).toLowerCase() === 'basic') || type === 'basic') {
    return {
      mode: 'BASIC',
      fields: [{ name: 'username', display_name: 'Username', secret: false, required: true }, secretField('password', 'Password')],
      inject: { basic: { username: '{{username}}', password: '{{password}}' } },
    };
  }
  if (type === 'http' && String(declared.scheme).toLowerCase() === 'bearer') {
    return {
      mode: 'BEARER_TOKEN',
      fields: [secretField('token', 'Token')],
      inject: { headers: { Authorization: 'Bearer {{token}}' } },
    };
  }
  warnings.push(`security scheme ${name}: type ${type}${declared.scheme ? ` ${declared.scheme}` : ''} is not supported; left out`);
  return undefined;
}

/**
 * The toolkit's auth schemes: every declared scheme the chosen operations use (NO_AUTH when they need
 * none), each mode once. A scheme that combines two (`{a: [], b: []}`, both at once) cannot be
 * expressed and is left out with a warning.
 */
export function authSchemes(spec: Spec, operations: Spec[], warnings: Warnings): AuthScheme[] {
  const declared = declaredSchemes(spec);
  const used = new Map<string, Set<string>>();
  for (const operation of operations) {
    const requirements = requirementsOf(spec, operation);
    for (const requirement of requirements) {
      const names = Object.keys(requirement);
      if (names.length > 1) {
        warnings.push(`security requirement ${names.join(' + ')}: schemes used together are not supported; left out`);
        continue;
      }
      for (const name of names) {
        const scopes = used.get(name) ?? new Set<string>();
        for (const scope of requirement[name] ?? []) scopes.add(scope);
        used.set(name, scopes);
      }
    }
  }
  const schemes: AuthScheme[] = [];
  for (const [name, scopes] of used) {
    if (!declared[name]) continue; // the validator has refused a document naming an undeclared scheme
    const scheme = convert(name, declared[name], [...scopes], warnings);
    if (scheme && !schemes.some((s) => s.mode === scheme.mode)) schemes.push(scheme);
    else if (scheme) warnings.push(`security scheme ${name}: a second ${scheme.mode} scheme; only the first is kept`);
  }
  // an operation open to anyone runs under any of them; NO_AUTH only when none needs a credential
  if (schemes.length === 0) schemes.push({ mode: 'NO_AUTH' });
  return schemes;
}
