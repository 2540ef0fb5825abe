/** An upstream request as the engine builds it, before it is sent. */
export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** every credential value put on the request, in the form it was put there (see `masking.ts`) */
  injected?: string[];
}

/** A form body's fields, for schemes that sign it (OAuth 1.0a, RFC 5849 3.4.1.3). */
export type FormFields = Record<string, string | string[]>;
