// The response headers next.config.js gives a path (HSTS, nosniff, the fixed CSP of /api/ …), read
// from the build's routes manifest, where Next.js compiles them: so a response our own server
// writes without Next.js (server/data-routes) carries exactly the headers Next would have added,
// from the one list in next.config.js.
import { readFileSync } from "node:fs";
import path from "node:path";

interface ManifestHeaderRule {
  regex: string;
  headers: { key: string; value: string }[];
}

export type BuildHeaders = (pathname: string) => Record<string, string>;

/** Without a build (dev): the strictest answer a JSON route can have. */
const FALLBACK: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
};

export function buildHeadersFromManifest(manifest: { headers?: ManifestHeaderRule[] }): BuildHeaders {
  const rules = (manifest.headers ?? []).map((r) => ({ re: new RegExp(r.regex), headers: r.headers }));
  const memo = new Map<string, Record<string, string>>();
  return (pathname) => {
    let found = memo.get(pathname);
    if (!found) {
      // Later rules win over earlier ones for the same header, as in Next.js.
      found = {};
      for (const rule of rules) if (rule.re.test(pathname)) for (const h of rule.headers) found[h.key] = h.value;
      if (memo.size < 100) memo.set(pathname, found);
    }
    return found;
  };
}

/** Reads `<dir>/.next/routes-manifest.json`; without one, a strict fallback. */
export function loadBuildHeaders(dir: string): BuildHeaders {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, ".next", "routes-manifest.json"), "utf8"));
    return buildHeadersFromManifest(manifest);
  } catch {
    return () => FALLBACK;
  }
}
