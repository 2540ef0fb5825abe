import type { AuthScheme } from '../catalogue/schema.ts';
import type { AuthSchemeModule } from './scheme.ts';
import { injectTemplates } from './inject.ts';

type FormScheme = Extract<AuthScheme, { fields: unknown; inject: unknown }>;
type FormMode = FormScheme['mode'];

/**
 * The shape of the modes whose secret the user types as it is (an API key, a token, a username and
 * password): a form, no exchange, nothing to refresh, injected by the toolkit's templates.
 */
export function credentialFormScheme<M extends FormMode>(mode: M): AuthSchemeModule<Extract<AuthScheme, { mode: M }>> {
  const module: AuthSchemeModule<FormScheme> = {
    mode,
    connectBy: 'form',
    usesAppClient: false,
    signsWithClient: false,
    authConfigFields: () => [],
    connectionFields: (definition) => definition.fields,
    defaultScopes: () => [],
    issuedCredentials: [],
    publicCredentials: [],
    urls: () => [],
    tokenResponseFields: () => [],
    inject: (definition, connection, request) => injectTemplates(definition.inject, connection, request),
  };
  // one shape for several modes: the compiler cannot narrow a generic union, so the module is typed once here
  return module as unknown as AuthSchemeModule<Extract<AuthScheme, { mode: M }>>;
}
