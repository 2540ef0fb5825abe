import { credentialFormScheme } from './credential-form.ts';

/** A username and password the user types, sent as HTTP Basic (RFC 7617) or as the toolkit's templates say. */
export const basicScheme = credentialFormScheme('BASIC');
