import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildShellCsp, inlineHashes, shellHashes } from "./shell-csp";

const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

describe("shell CSP", () => {
  it("hashes inline scripts and styles exactly, skips external scripts and repeats", () => {
    const html =
      '<html><head><script src="/_next/a.js" async></script><style>b{}</style></head>' +
      '<body><script>self.__next_f.push([1,"x"])</script><script id=x>\nA()\n</script><script>self.__next_f.push([1,"x"])</script></body></html>';
    expect(inlineHashes(html)).toEqual({
      scripts: [hash('self.__next_f.push([1,"x"])'), hash("\nA()\n")],
      styles: [hash("b{}")],
    });
  });

  it("never allows inline scripts in general, and names each hash", () => {
    const csp = buildShellCsp({ scripts: ["'sha256-AAA'"], styles: [] }, { https: true });
    expect(csp).toContain("script-src 'self' 'sha256-AAA';");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
  });

  it("reads the prerendered file, again only when it changes, and is null without one", () => {
    const root = mkdtempSync(path.join(tmpdir(), "shell-csp-"));
    expect(shellHashes("shell/sv/besok", root)).toBeNull();
    const file = path.join(root, ".next/server/app/shell/sv/besok.html");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "<script>one()</script>");
    expect(shellHashes("shell/sv/besok", root)?.scripts).toEqual([hash("one()")]);
    writeFileSync(file, "<script>two()</script>");
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    expect(shellHashes("shell/sv/besok", root)?.scripts).toEqual([hash("two()")]);
  });
});
