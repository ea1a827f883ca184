// `npm start` rebuilds only when a source is newer than the build (issue 11, item 13: a second
// start must not rebuild). Build outputs that live among the sources and test files never count.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildIsCurrent } from "./build";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function file(rel: string, secondsAgo: number) {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, "x");
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(p, t, t);
}

describe("buildIsCurrent", () => {
  it("is false without a build, true once the build is newer than every source", () => {
    root = mkdtempSync(path.join(tmpdir(), "vardtid-build-"));
    file("app/page.tsx", 100);
    file("lib/x.ts", 100);
    expect(buildIsCurrent(root)).toBe(false);
    file(".next/BUILD_ID", 50);
    expect(buildIsCurrent(root)).toBe(true);
  });

  it("is false when a source changed after the build", () => {
    root = mkdtempSync(path.join(tmpdir(), "vardtid-build-"));
    file("app/page.tsx", 100);
    file(".next/BUILD_ID", 50);
    file("lib/appointments/new-rule.ts", 10);
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("ignores tests and the build's own outputs among the sources (the service worker, offline.css)", () => {
    root = mkdtempSync(path.join(tmpdir(), "vardtid-build-"));
    file("app/page.tsx", 100);
    file(".next/BUILD_ID", 50);
    file("lib/x.test.ts", 10);
    file("public/sw.js", 10);
    file("public/offline.css", 10);
    expect(buildIsCurrent(root)).toBe(true);
  });
});
