// First-load JavaScript: what a browser with an empty cache downloads to show a page. Loads the
// page in headless Chromium, waits until the network is idle, and sums every script response:
// bytes on the wire (encoded body, whatever Content-Encoding the server chose), the same bodies
// gzipped here at level 6 (what `compression` does by default; comparable across servers), and
// raw. Scripts named in the HTML are "initial"; the rest arrived later (prefetch, lazy chunks).
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";

export interface ScriptFile {
  url: string;
  initial: boolean;
  wireBytes: number;
  encoding: string;
  rawBytes: number;
  gzipBytes: number;
}

export interface PageScripts {
  url: string;
  status: number;
  scripts: ScriptFile[];
  total: { files: number; wireBytes: number; rawBytes: number; gzipBytes: number };
  initial: { files: number; wireBytes: number; rawBytes: number; gzipBytes: number };
}

const launchArgs = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM ?? "/usr/bin/chromium",
    args: launchArgs,
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

function sum(files: ScriptFile[]) {
  return {
    files: files.length,
    wireBytes: files.reduce((a, f) => a + f.wireBytes, 0),
    rawBytes: files.reduce((a, f) => a + f.rawBytes, 0),
    gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0),
  };
}

/** One cold load (fresh context: empty cache) of `url`, with optional cookies. */
export async function measurePageScripts(
  browser: Browser,
  url: string,
  cookies: { name: string; value: string }[] = [],
): Promise<PageScripts> {
  const context = await browser.newContext({ serviceWorkers: "block" });
  try {
    if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url: new URL(url).origin })));
    const page = await context.newPage();
    const pending: Promise<ScriptFile | null>[] = [];
    page.on("requestfinished", (request) => {
      if (request.resourceType() !== "script") return;
      pending.push(
        (async () => {
          const response = await request.response();
          if (!response) return null;
          const body = await response.body();
          const sizes = await request.sizes();
          return {
            url: request.url(),
            initial: false,
            wireBytes: sizes.responseBodySize,
            encoding: (await response.headerValue("content-encoding")) ?? "identity",
            rawBytes: body.length,
            gzipBytes: gzipSync(body, { level: 6 }).length,
          };
        })(),
      );
    });
    const response = await page.goto(url, { waitUntil: "load" });
    await page.waitForLoadState("networkidle");
    // Scripts the server put in the HTML itself (as opposed to ones loaded afterwards).
    const html = response ? await response.text() : "";
    const inHtml = new Set(
      [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) =>
        new URL(m[1]!.replace(/&amp;/g, "&"), url).toString(),
      ),
    );
    const scripts = (await Promise.all(pending))
      .filter((s): s is ScriptFile => s !== null)
      .map((s) => ({ ...s, initial: inHtml.has(s.url) }));
    return {
      url,
      status: response?.status() ?? 0,
      scripts,
      total: sum(scripts),
      initial: sum(scripts.filter((s) => s.initial)),
    };
  } finally {
    await context.close();
  }
}
