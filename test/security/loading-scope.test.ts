// Finding 11: a loading.tsx starts the response (HTTP 200 and a spinner) before the page below it
// runs, so a page that decides "not yours / not found" must have no loading.tsx above it; only
// then can a foreign or made-up id answer a real 404. Checked over the app/ tree, so a new dynamic
// page, or a loading.tsx added higher up later, is caught.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const appDir = path.resolve(import.meta.dirname, "../../app");

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(path.join(dir, e.name)) : e.name === "page.tsx" ? [path.join(dir, e.name)] : [],
  );
}

describe("loading.tsx never wraps a page that decides ownership (finding 11)", () => {
  const dynamicPages = pages(appDir).filter((p) => /\[[^\]]+\]/.test(path.relative(appDir, p)));

  it("finds the dynamic pages", () => {
    expect(dynamicPages.length).toBeGreaterThanOrEqual(4);
  });

  it.each(dynamicPages.map((p) => [path.relative(appDir, p)]))("no loading.tsx above app/%s", (rel) => {
    const above: string[] = [];
    let dir = path.dirname(path.join(appDir, rel));
    for (;;) {
      if (existsSync(path.join(dir, "loading.tsx"))) above.push(path.relative(appDir, path.join(dir, "loading.tsx")));
      if (dir === appDir) break;
      dir = path.dirname(dir);
    }
    expect(above).toEqual([]);
  });
});
