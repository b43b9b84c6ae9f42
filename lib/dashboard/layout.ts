/**
 * The HTML frame of every dashboard page: a skip link, the navigation (the
 * current page marked with `aria-current`), the API-key field, the page's
 * server-rendered body and its island script. Templates use Hono's `html`
 * tag, which escapes every interpolated value; initial data goes into a
 * `<script type="application/json">` with `<` escaped, so no user string
 * can close it.
 *
 * @module
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** The pages, in navigation order: path → title. */
export const PAGES = {
  "/pipeline": "Pipeline",
  "/runs": "Runs",
  "/model": "Model",
  "/data": "Data",
  "/score": "Score",
  "/train": "Train",
  "/history": "History",
} as const;

/** A page path. */
export type PagePath = keyof typeof PAGES;

/** A server-rendered fragment. */
export type Fragment = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * JSON safe to embed inside `<script type="application/json">`.
 *
 * @example
 * ```ts
 * import { embedJson } from "./layout.ts";
 * embedJson({ s: "</script>" }); // '{"s":"\\u003c/script>"}'
 * ```
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028|\u2029/g, "");
}

/** Options of {@linkcode page}. */
export interface PageOptions {
  /** Which page. */
  path: PagePath;
  /** Body below the heading. */
  body: Fragment;
  /** Initial data for the island (embedded as JSON). */
  data?: unknown;
  /** Island script name in static/ (without `.js`). */
  island?: string;
  /** Whether the page draws charts (loads uPlot). */
  charts?: boolean;
  /** Whether an API key is configured (shows the key field). */
  auth?: boolean;
}

/**
 * A whole page.
 *
 * @example
 * ```ts ignore
 * import { html } from "hono/html";
 * import { page } from "./layout.ts";
 * c.html(page({ path: "/runs", body: html`<p>…</p>`, island: "runs", charts: true }));
 * ```
 */
export function page(o: PageOptions): Fragment {
  const title = PAGES[o.path];
  const nav = Object.entries(PAGES).map(([href, name]) =>
    html`<li><a href="${href}"${
      raw(href === o.path ? ' aria-current="page"' : "")
    }>${name}</a></li>`
  );
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="data:,">
        <title>${title} · threatline</title>
        <link rel="stylesheet" href="/assets/static/dashboard.css">
        ${o.charts ? html`<link rel="stylesheet" href="/assets/vendor/uplot.css">` : ""}
          </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
        <nav aria-label="Dashboard pages"><span class="brand">threatline</span><ul>${nav}</ul></nav>
        ${o.auth
          ? html`
            <div
              class="key"><label for="api-key">API key</label> <input id="api-key" type="password" autocomplete="off"></div>
          `
          : ""}
        </header>
        <main id="main">
        <h1>${title}</h1>
        ${o.body}
        </main>
        <div id="status" role="status" aria-live="polite" class="sr-only"></div>
        <script type="application/json" id="page-data">${raw(embedJson(o.data ?? null))}</script>
        ${o.charts ? html`<script src="/assets/vendor/uplot.js" defer></script>` : ""}
        <script src="/assets/static/common.js" defer></script>
        ${o.island ? html`<script src="/assets/static/${o.island}.js" defer></script>` : ""}
          </body>
    </html>
  `;
}
