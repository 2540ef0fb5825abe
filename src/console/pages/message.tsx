import type { Config } from '../../config.ts';
import { documentOf, Layout } from '../layout.tsx';

/** A refused form (foreign Origin, missing or wrong token): a page, not the API's JSON. */
export const refusedPage = (branding: Config['branding'], message: string) =>
  documentOf(
    <Layout branding={branding} title="Request refused">
      <p class="error">{message}</p>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </Layout>,
  );

export const messagePage = (branding: Config['branding'], title: string, message: string, csrfToken?: string) =>
  documentOf(
    <Layout branding={branding} title={title} csrfToken={csrfToken}>
      <p class="error">{message}</p>
    </Layout>,
  );
