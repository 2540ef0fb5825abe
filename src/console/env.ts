import type { Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { type Actor, consoleActor } from '../services/actor.ts';

/** The console's context: the REST API's (`apiKeyId` is the signed-in key, who does an admin action) plus its form token. */
export interface ConsoleEnv {
  Variables: AppEnv['Variables'] & {
    /** the sign-in's synchronizer token, put in every form */
    csrfToken: string;
  };
}

export const CONSOLE_PATH = '/console';

/** Who makes a change from the console, as the audit log records it. */
export const actorOf = (c: Context<ConsoleEnv>): Actor => consoleActor(c.get('apiKeyId'));
