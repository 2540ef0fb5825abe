import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { toolkitOf } from '../../services/auth-configs.ts';
import { findTool } from '../../services/tool-execution.ts';
import { PAGE_SIZE, Pager, pageOf, Table } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

const toolkitHref = (slug: string) => `${CONSOLE_PATH}/toolkits/${encodeURIComponent(slug)}`;
const toolHref = (slug: string) => `${CONSOLE_PATH}/tools/${encodeURIComponent(slug)}`;

export function toolkitRoutes(deps: Deps) {
  const branding = deps.config.branding;
  return new Hono<ConsoleEnv>()
    .get('/toolkits', (c) => {
      const q = (c.req.query('q') ?? '').trim().toLowerCase().slice(0, 100);
      const page = pageOf(c.req.query('page'));
      const matching = deps.catalogue.toolkits.filter((t) => !q || t.slug.includes(q) || t.name.toLowerCase().includes(q));
      return renderPage(
        c,
        branding,
        'Toolkits',
        <>
          <form method="get" action={`${CONSOLE_PATH}/toolkits`} class="filters" role="search">
            <div>
              <label for="q">Name contains</label>
              <input id="q" name="q" value={q} />
            </div>
            <button type="submit">Filter</button>
          </form>
          <Table columns={['Toolkit', 'Auth schemes', 'Tools']}>
            {matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((t) => (
              <tr>
                <td>
                  <a href={toolkitHref(t.slug)}>{t.name}</a>
                  <div class="hint">{t.description}</div>
                </td>
                <td>{t.auth_schemes.map((s) => s.mode).join(', ')}</td>
                <td>{t.tools.length}</td>
              </tr>
            ))}
          </Table>
          <Pager url={c.req.url} page={page} total={matching.length} />
        </>,
      );
    })
    .get('/toolkits/:slug', (c) => {
      const toolkit = toolkitOf(deps, c.req.param('slug'));
      return renderPage(
        c,
        branding,
        toolkit.name,
        <>
          <p>{toolkit.description}</p>
          <p>
            Auth schemes: {toolkit.auth_schemes.map((s) => s.mode).join(', ')} ·{' '}
            <a href={`${CONSOLE_PATH}/accounts?toolkit=${encodeURIComponent(toolkit.slug)}`}>connected accounts</a> ·{' '}
            <a href={`${CONSOLE_PATH}/auth-configs/new?toolkit=${encodeURIComponent(toolkit.slug)}`}>new auth config</a>
          </p>
          <h2>Tools</h2>
          <Table columns={['Tool', 'Description']}>
            {toolkit.tools.map((tool) => (
              <tr>
                <td>
                  <a href={toolHref(tool.slug)}>{tool.slug}</a>
                </td>
                <td>{tool.description}</td>
              </tr>
            ))}
          </Table>
        </>,
      );
    })
    .get('/tools/:slug', (c) => {
      const { toolkit, tool } = findTool(deps, c.req.param('slug'));
      return renderPage(
        c,
        branding,
        tool.slug,
        <>
          <p>
            {tool.name}, in <a href={toolkitHref(toolkit.slug)}>{toolkit.name}</a>
          </p>
          <p>{tool.description}</p>
          <h2>Input schema</h2>
          <pre>{JSON.stringify(tool.input_parameters, null, 2)}</pre>
        </>,
      );
    });
}
