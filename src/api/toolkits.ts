import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { commaList, readJson, validate } from '../http/read-json.ts';
import { pageOf, pageQuery } from './pagination.ts';
import { categoryId, toolkitCategories, toolkitDetail, toolkitListItem } from './wire/catalogue.ts';

const filters = {
  search: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  managed_by: z.enum(['composio', 'all', 'project']).optional(),
  sort_by: z.enum(['usage', 'alphabetically']).optional(),
};
const listQuery = z.object({ ...pageQuery, ...filters, toolkit_slugs: z.string().max(2000).optional() });
/** `toolkits.getMany(slugs)`: the list's filters in a body, the slugs as an array. */
const multiBody = z.object({ ...pageQuery, ...filters, toolkits: z.array(z.string().min(1).max(100)).min(1).max(1000) }).passthrough();

type ListFilters = z.infer<typeof listQuery> & { slugs?: string[] };

export function toolkitRoutes(deps: Deps) {
  const apps = deps.config.oauthApps;
  const list = (q: ListFilters) => {
    const slugs = q.slugs?.map((s) => s.toLowerCase());
    const search = q.search?.toLowerCase();
    let toolkits = deps.catalogue.toolkits.filter(
      (t) =>
        (!slugs || slugs.includes(t.slug)) &&
        (!search || `${t.slug} ${t.name} ${t.description}`.toLowerCase().includes(search)) &&
        (!q.category || (t.categories ?? []).some((cat) => [cat.toLowerCase(), categoryId(cat)].includes(q.category!.toLowerCase()))),
    );
    if (q.sort_by === 'alphabetically') toolkits = [...toolkits].sort((a, b) => a.name.localeCompare(b.name));
    const page = pageOf(toolkits, q, 50);
    return { ...page, items: page.items.map((t) => toolkitListItem(t, apps)) };
  };
  return (
    new Hono<AppEnv>()
      .get('/toolkits', (c) => {
        const q = validate(listQuery, c.req.query(), 'query');
        return c.json(list({ ...q, slugs: commaList(q.toolkit_slugs) }));
      })
      .post('/toolkits/multi', async (c) => {
        const body = await readJson(c, multiBody);
        return c.json(list({ ...body, slugs: body.toolkits }));
      })
      // before /toolkits/:slug, which would take "categories" for a toolkit's name
      .get('/toolkits/categories', (c) => {
        const q = validate(z.object(pageQuery), c.req.query(), 'query');
        return c.json(pageOf(toolkitCategories(deps.catalogue.toolkits), q, 50));
      })
      .get('/toolkits/:slug', (c) => {
        const toolkit = deps.catalogue.toolkit(c.req.param('slug'));
        if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND', { message: `No toolkit named ${c.req.param('slug')}.` });
        return c.json(toolkitDetail(toolkit, apps));
      })
  );
}
