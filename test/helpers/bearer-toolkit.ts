/** A toolkit file for an API on loopback at `baseUrl` that takes a bearer token, with `tools`. */
export function bearerToolkit(slug: string, baseUrl: string, tools: object[]) {
  return {
    slug,
    name: `${slug} API`,
    description: 'An API on loopback that takes a bearer token',
    base_url: baseUrl,
    auth_schemes: [
      {
        mode: 'BEARER_TOKEN',
        fields: [{ name: 'token', display_name: 'Token', secret: true }],
        inject: { headers: { Authorization: 'Bearer {{token}}' } },
      },
    ],
    tools,
  };
}
