// The prerendered shells (app/(shell)) must stay exactly as built: their CSP allows their inline
// scripts by the hashes of the built HTML (lib/security/shell-csp.ts). A revalidation that reaches
// them ("/" as a layout, or their own paths) would regenerate them at run time, and a regenerated
// shell whose scripts differ would be blocked by its own policy. So no code may do that.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const SOURCE_DIRS = ["app", "lib", "components", "server", "worker"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

describe("prerendered shells stay as built", () => {
  it("no code revalidates the root layout or a shell path", () => {
    const offenders: string[] = [];
    for (const file of SOURCE_DIRS.flatMap((d) => sources(path.join(root, d)))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/revalidatePath\(([^)]*)\)/g)) {
        const args = m[1]!;
        if (/["'`]\/["'`]\s*,\s*["'`]layout/.test(args) || /["'`]\/shell\b/.test(args)) {
          offenders.push(`${path.relative(root, file)}: ${m[0]}`);
        }
      }
      if (/revalidateTag\(/.test(text)) offenders.push(`${path.relative(root, file)}: revalidateTag`);
    }
    expect(offenders).toEqual([]);
  });

  it("the check would catch one", () => {
    expect(/["'`]\/["'`]\s*,\s*["'`]layout/.test('"/", "layout"')).toBe(true);
  });

  it("the service worker precaches a shell for every language", async () => {
    const { locales } = await import("@/i18n/locales");
    const config = readFileSync(path.join(root, "serwist.config.js"), "utf8");
    const listed = /const shellLocales = \[([^\]]*)\]/
      .exec(config)?.[1]
      ?.match(/"(\w+)"/g)
      ?.map((s) => s.slice(1, -1));
    expect(listed).toEqual([...locales]);
    const sw = readFileSync(path.join(root, "sw", "sw.ts"), "utf8");
    const inWorker = /const LOCALES = new Set\(\[([^\]]*)\]\)/
      .exec(sw)?.[1]
      ?.match(/"(\w+)"/g)
      ?.map((s) => s.slice(1, -1));
    expect(inWorker).toEqual([...locales]);
  });
});
