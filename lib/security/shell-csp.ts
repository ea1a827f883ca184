import "server-only";
// The CSP of a prerendered app shell (app/(shell)): built once at `next build`, so it cannot carry
// a per-request nonce. Its inline scripts (Next's flight data) are allowed by their SHA-256 hashes,
// read from the very HTML file Next serves, so the policy allows exactly those scripts and no
// other inline script: never 'unsafe-inline'. 'strict-dynamic' is left out here because it would
// also block Next's own `<script src>` tags, which carry no nonce in a static page; 'self' allows
// those (every script file on our origin is one Next built: nothing on the origin is uploaded).
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { policy } from "./csp";

export interface ShellHashes {
  scripts: string[];
  styles: string[];
}

const cache = new Map<string, { mtimeMs: number; hashes: ShellHashes }>();

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The hashes of every inline `<script>` and `<style>` in an HTML document, in order, without repeats. */
export function inlineHashes(html: string): ShellHashes {
  const scripts = new Set<string>();
  const styles = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(m[1]!)) continue;
    scripts.add(sha256(m[2]!));
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) styles.add(sha256(m[1]!));
  return { scripts: [...scripts], styles: [...styles] };
}

/**
 * The hashes of the prerendered shell at `route` (e.g. "shell/sv/besok"), or null where it has not
 * been prerendered (`next dev`: the page is rendered per request and gets the nonce policy).
 * Read again only when the file changes.
 */
export function shellHashes(route: string, root = process.cwd()): ShellHashes | null {
  const file = path.join(root, ".next", "server", "app", `${route}.html`);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.hashes;
  const hashes = inlineHashes(readFileSync(file, "utf8"));
  cache.set(file, { mtimeMs, hashes });
  return hashes;
}

export function buildShellCsp(hashes: ShellHashes, options: { https: boolean }): string {
  return policy(
    { script: `'self' ${hashes.scripts.join(" ")}`.trim(), style: `'self' ${hashes.styles.join(" ")}`.trim() },
    options,
  );
}
