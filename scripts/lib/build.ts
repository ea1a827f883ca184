// The production build is made once and reused: by `npm start`, by the tests that start the built
// server (deploy/*.test.ts) and by Playwright's web server, so one `npm test` builds at most once.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  // Files only: a folder's own time changes when the build writes its outputs into it (public/sw.js).
  let newest = 0;
  for (const entry of readdirSync(target)) {
    // Build outputs that live among the sources (the service worker, the offline stylesheet).
    // Tests are not part of the build either.
    if (
      entry === "node_modules" ||
      entry.startsWith(".") ||
      entry.startsWith("sw.js") ||
      entry === "offline.css" ||
      entry.endsWith(".test.ts")
    )
      continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** True when .next holds a build newer than every source it was built from. */
export function buildIsCurrent(root: string): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const sources = [
    "app",
    "components",
    "lib",
    "db",
    "i18n",
    "messages",
    "public",
    "sw",
    "proxy.ts",
    "instrumentation.ts",
    "next.config.js",
    "serwist.config.js",
    "package-lock.json",
    "worker",
  ];
  return sources.every((s) => newestMtime(path.join(root, s)) <= built);
}

/**
 * Builds when the build is missing or older than the sources; false if the build failed. A lock
 * folder keeps two callers (parallel test files) from building into the same .next at once.
 */
export function ensureBuild(root: string): boolean {
  if (buildIsCurrent(root)) return true;
  const lock = path.join(root, ".next-build.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else builds; a lock older than 20 minutes is left over from a killed build.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 20 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      if (buildIsCurrent(root)) return true;
    }
  }
  try {
    if (buildIsCurrent(root)) return true;
    console.log("Building Vårdtid (first start or changed sources); about 1–4 minutes on two cores …");
    const result = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit", env: process.env });
    return result.status === 0;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
