import { credentialFormScheme } from './credential-form.ts';

/** An API key the user pastes, sent as the toolkit's `inject` rule says (a header or a query value). */
export const apiKeyScheme = credentialFormScheme('API_KEY');
