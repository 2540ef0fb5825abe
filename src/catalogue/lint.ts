import { actionTagProblem } from './tool-tags.ts';
import type { ToolkitFile } from './schema.ts';
import { searchTerms, tokenize } from './search-text.ts';
import { pathParameters, templateNames, urlPlaceholders } from './url-placeholders.ts';
import { schemeModule } from '../schemes/registry.ts';
import { wireNames } from '../execution/composers/registry.ts';

export { pathParameters, templateNames } from './url-placeholders.ts';

/**
 * Checks a toolkit file for mistakes JSON Schema cannot express: tool slugs without the toolkit prefix,
 * path parameters the input schema does not declare, placeholders that name no field, a tool without
 * exactly one action tag or with one its request contradicts (`tool-tags.ts`), a name or description
 * still marked TODO. Each problem is returned as `{ path, message }`, with `path` pointing into the file.
 */
export interface LintProblem {
  path: string;
  message: string;
}

/** Every URL of a toolkit file that takes placeholders, with its path in the file. */
function toolkitUrls(toolkit: ToolkitFile): Array<[string, string]> {
  const urls: Array<[string, string]> = [['base_url', toolkit.base_url]];
  toolkit.auth_schemes.forEach((scheme, i) => {
    const at = `auth_schemes[${i}]`;
    if ('identity' in scheme && scheme.identity?.base_url) urls.push([`${at}.identity.base_url`, scheme.identity.base_url]);
    for (const [key, url] of schemeModule(scheme.mode).urls(scheme)) urls.push([`${at}.${key}`, url]);
  });
  toolkit.tools.forEach((tool, i) => {
    if (tool.request.base_url) urls.push([`tools[${i}].request.base_url`, tool.request.base_url]);
  });
  return urls;
}

/** The connection fields a toolkit puts in a host label: their values must be one DNS label (no dots). */
export function hostLabelFields(toolkit: ToolkitFile): Set<string> {
  const names = toolkitUrls(toolkit).flatMap(([, url]) =>
    urlPlaceholders(url)
      .filter((p) => p.role === 'label')
      .map((p) => p.name),
  );
  return new Set(names);
}

/**
 * A placeholder in a URL may only stand where its value cannot choose the host (see
 * `url-placeholders.ts`); a whole origin only for a field the token response sets, never one the user types.
 */
function lintUrlPlaceholders(path: string, url: string, tokenFields: Set<string>, userFields: Set<string>): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const place of urlPlaceholders(url)) {
    if (place.role === null) problems.push({ path, message: `placeholder {{${place.name}}} ${place.problem}` });
    else if (place.role === 'origin' && (!tokenFields.has(place.name) || userFields.has(place.name))) {
      problems.push({
        path,
        message: `placeholder {{${place.name}}} is a whole origin: only a token_response_fields value (set by the provider) may be one, never a value the user enters`,
      });
    }
  }
  return problems;
}

export function lintToolkit(toolkit: ToolkitFile): LintProblem[] {
  const problems: LintProblem[] = [];
  const prefix = `${toolkit.slug.toUpperCase()}_`;
  const connectionNames = (toolkit.connection_fields ?? []).map((f) => f.name);
  const seen = new Set<string>();
  const tokenFields = new Set(toolkit.auth_schemes.flatMap((s) => schemeModule(s.mode).tokenResponseFields(s)));
  const userFields = new Set([
    ...connectionNames,
    ...toolkit.auth_schemes.flatMap((s) =>
      schemeModule(s.mode)
        .connectionFields(s)
        .map((f) => f.name),
    ),
  ]);

  toolkit.auth_schemes.forEach((scheme, i) => {
    const module = schemeModule(scheme.mode);
    const responseFields = module.tokenResponseFields(scheme);
    const known = new Set([...connectionNames, ...module.issuedCredentials, ...responseFields]);
    for (const f of module.connectionFields(scheme)) known.add(f.name);
    for (const f of responseFields) {
      // a provider's answer must never overwrite what the user or operator set
      if (connectionNames.includes(f) || f === 'identity')
        problems.push({
          path: `auth_schemes[${i}].token_response_fields`,
          message: `${f} is a connection field; a token response may not set it`,
        });
    }
    const texts: Array<[string, string]> = [];
    if ('inject' in scheme) {
      for (const [k, v] of Object.entries(scheme.inject.headers ?? {})) texts.push([`inject.headers.${k}`, v]);
      for (const [k, v] of Object.entries(scheme.inject.query ?? {})) texts.push([`inject.query.${k}`, v]);
      if (scheme.inject.basic) {
        texts.push(['inject.basic.username', scheme.inject.basic.username]);
        texts.push(['inject.basic.password', scheme.inject.basic.password]);
      }
    }
    for (const [where, text] of texts) {
      for (const name of templateNames(text)) {
        if (!known.has(name)) {
          problems.push({
            path: `auth_schemes[${i}].${where}`,
            message: `placeholder {{${name}}} names no field of this scheme or connection`,
          });
        }
      }
    }
  });

  for (const name of templateNames(toolkit.base_url)) {
    if (!connectionNames.includes(name) && !tokenFields.has(name)) {
      problems.push({ path: 'base_url', message: `placeholder {{${name}}} names no connection field` });
    }
  }
  for (const [path, url] of toolkitUrls(toolkit)) problems.push(...lintUrlPlaceholders(path, url, tokenFields, userFields));

  problems.push(...lintSearchWords(toolkit));

  toolkit.tools.forEach((tool, i) => {
    const at = `tools[${i}]`;
    if (!tool.slug.startsWith(prefix)) problems.push({ path: `${at}.slug`, message: `tool slug must start with ${prefix}` });
    if (seen.has(tool.slug)) problems.push({ path: `${at}.slug`, message: `duplicate tool slug ${tool.slug}` });
    seen.add(tool.slug);
    // what `npm run toolkit:import` could not take from the spec: the operator writes it before the file loads
    for (const field of ['name', 'description'] as const)
      if (/^\s*TODO\b/i.test(tool[field])) problems.push({ path: `${at}.${field}`, message: `still a TODO: ${tool[field]}` });
    const tagProblem = actionTagProblem(tool);
    if (tagProblem) problems.push({ path: `${at}.tags`, message: tagProblem });
    const properties = Object.keys(tool.input_parameters.properties ?? {});
    const required = (tool.input_parameters as { required?: unknown }).required;
    const requiredList = Array.isArray(required) ? (required as string[]) : [];
    for (const param of pathParameters(tool.request.path)) {
      if (!properties.includes(param))
        problems.push({ path: `${at}.request.path`, message: `path parameter {${param}} is not in input_parameters.properties` });
      // ajv fills a default in before the request is built (`useDefaults`), so a defaulted one is always there
      else if (!requiredList.includes(param) && (tool.input_parameters.properties[param] as { default?: unknown })?.default === undefined)
        problems.push({ path: `${at}.input_parameters.required`, message: `path parameter ${param} must be required or have a default` });
    }
    for (const name of requiredList) {
      if (!properties.includes(name))
        problems.push({ path: `${at}.input_parameters.required`, message: `required parameter ${name} is not in properties` });
    }
    const sent = wireNames(tool.request.compose, properties);
    for (const list of ['query', 'body_params'] as const) {
      for (const name of tool.request[list] ?? []) {
        if (!sent.includes(name))
          problems.push({
            path: `${at}.request.${list}`,
            message: `${name} is not in input_parameters.properties${tool.request.compose ? ` nor produced by ${tool.request.compose}` : ''}`,
          });
      }
    }
    const pathNames = pathParameters(tool.request.path);
    for (const name of Object.keys(tool.request.wire_names ?? {})) {
      if (!properties.includes(name) || pathNames.includes(name))
        problems.push({
          path: `${at}.request.wire_names`,
          message: `${name} is not a query or body argument of input_parameters.properties`,
        });
    }
  });
  return problems;
}

/**
 * The search vocabulary: an alias whose every word is a search word (search ignores "g" of "g mail",
 * and would then take any "mail" for Gmail), and no synonym or example twice in one tool.
 */
function lintSearchWords(toolkit: ToolkitFile): LintProblem[] {
  const problems: LintProblem[] = [];
  (toolkit.aliases ?? []).forEach((alias, i) => {
    if (searchTerms(alias).length !== tokenize(alias).length) {
      problems.push({
        path: `aliases[${i}]`,
        message: `"${alias}" has a word search ignores (a filler word, a single letter or a number)`,
      });
    }
  });
  toolkit.tools.forEach((tool, i) => {
    for (const list of ['synonyms', 'examples'] as const) {
      const values = (tool[list] ?? []).map((v) => v.toLowerCase());
      const twice = values.find((v, k) => values.indexOf(v) !== k);
      if (twice) problems.push({ path: `tools[${i}].${list}`, message: `"${twice}" is listed twice` });
    }
  });
  return problems;
}
