import { credentialFormScheme } from './credential-form.ts';

/** A token the user pastes (a personal access token), usually sent as `Authorization: Bearer …`. */
export const bearerTokenScheme = credentialFormScheme('BEARER_TOKEN');
