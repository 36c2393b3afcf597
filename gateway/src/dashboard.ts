/**
 * GET /dashboard: one static page with plain ES modules and uPlot, all served from this package (no CDN, no
 * build step). The page asks for the admin token and calls the admin API with it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function load(): Record<string, { body: string; type: string }> {
  const uplotDir = dirname(require.resolve("uplot/dist/uPlot.esm.js"));
  return {
    "/dashboard": { body: readFileSync(join(here, "dashboard", "index.html"), "utf8"), type: "text/html; charset=utf-8" },
    "/dashboard/app.js": { body: readFileSync(join(here, "dashboard", "app.js"), "utf8"), type: "text/javascript; charset=utf-8" },
    "/dashboard/uplot.js": { body: readFileSync(join(uplotDir, "uPlot.esm.js"), "utf8"), type: "text/javascript; charset=utf-8" },
    "/dashboard/uplot.css": { body: readFileSync(join(uplotDir, "uPlot.min.css"), "utf8"), type: "text/css; charset=utf-8" },
  };
}

export function dashboardRoutes(app: Hono): void {
  let files: ReturnType<typeof load> | undefined;
  for (const path of ["/dashboard", "/dashboard/", "/dashboard/app.js", "/dashboard/uplot.js", "/dashboard/uplot.css"]) {
    app.get(path, (c) => {
      files ??= load();
      const f = files[path === "/dashboard/" ? "/dashboard" : path];
      if (!f) return c.notFound();
      return c.newResponse(f.body, 200, {
        "content-type": f.type,
        "cache-control": "no-cache",
        "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      });
    });
  }
}
