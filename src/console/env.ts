import type { AppEnv } from '../http/env.ts';

/** The console's context: the REST API's (`apiKeyId` is the signed-in key, who does an admin action) plus its form token. */
export interface ConsoleEnv {
  Variables: AppEnv['Variables'] & {
    /** the sign-in's synchronizer token, put in every form */
    csrfToken: string;
  };
}

export const CONSOLE_PATH = '/console';
