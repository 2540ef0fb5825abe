import { rfc5322Composer } from './rfc5322-message.ts';

/**
 * Requests a template cannot express: a composer turns some of a tool's arguments (`consumes`) into
 * the arguments the request sends (`produces`), which `request.query` / `body_params` then route like
 * any other. A tool names one in `request.compose`; the arguments are already checked against its
 * input schema. Kept small: only what a provider's wire format demands (an RFC 5322 message).
 */
export interface Composer {
  consumes: readonly string[];
  produces: readonly string[];
  compose(args: Record<string, unknown>): Record<string, unknown>;
}

export const COMPOSERS = {
  rfc5322_message: rfc5322Composer,
} satisfies Record<string, Composer>;

export type ComposerName = keyof typeof COMPOSERS;
export const COMPOSER_NAMES = Object.keys(COMPOSERS) as [ComposerName, ...ComposerName[]];

/** The arguments a request sends: the tool's own, with what its composer consumes replaced by what it produces. */
export function wireArguments(compose: ComposerName | undefined, args: Record<string, unknown>): Record<string, unknown> {
  if (!compose) return args;
  const composer: Composer = COMPOSERS[compose];
  const rest = Object.fromEntries(Object.entries(args).filter(([name]) => !composer.consumes.includes(name)));
  return { ...rest, ...composer.compose(args) };
}

/** The argument names a request routes: the input's, or with a composer, the ones it leaves plus the ones it produces. */
export function wireNames(compose: ComposerName | undefined, inputNames: string[]): string[] {
  if (!compose) return inputNames;
  const composer: Composer = COMPOSERS[compose];
  return [...inputNames.filter((n) => !composer.consumes.includes(n)), ...composer.produces];
}
