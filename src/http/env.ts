/** The Hono environment every router shares: what middleware puts on the context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    apiKeyId: string;
  };
}
