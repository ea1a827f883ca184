// Builds the app (and the bare Next.js baseline) outside the work tree, so the benchmark never
// touches the repo's own .next (an `npm start` may be serving from it) and measures one fixed
// state of the sources. node_modules is hard-linked (cp -al): Turbopack refuses a node_modules
// symlink that points outside the project root, and a hard-linked tree costs seconds, not space.
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const benchTmp = path.join(os.tmpdir(), "vardtid-bench");

export interface BuiltApp {
  dir: string;
  source: string;
  reused: boolean;
  buildSeconds: number | null;
}

/** Files of the tree to snapshot: the work tree (tracked + untracked, not ignored), or a git ref. */
function listWorktreeFiles(repo: string): string[] {
  const out = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .toString("utf8")
    .split("\0")
    .filter(
      (f) => f && !f.startsWith("bench/") && existsSync(path.join(repo, f)) && statSync(path.join(repo, f)).isFile(),
    )
    .sort();
}

function hashFiles(root: string, files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(f)
      .update("\0")
      .update(readFileSync(path.join(root, f)))
      .update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

function linkNodeModules(from: string, to: string): void {
  const r = spawnSync("cp", ["-al", from, to], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`could not hard-link ${from} to ${to} (cp -al needs the same filesystem)`);
}

function nextBuild(dir: string, env: NodeJS.ProcessEnv): number {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(dir, "node_modules/next/dist/bin/next"), "build"], {
    cwd: dir,
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(
      `next build failed in ${dir}:\n${r.stdout.toString().slice(-4000)}\n${r.stderr.toString().slice(-4000)}`,
    );
  }
  writeFileSync(path.join(dir, ".bench-build-ok"), new Date().toISOString());
  return (Date.now() - started) / 1000;
}

function pruneOthers(prefix: string, keep: string): void {
  if (!existsSync(benchTmp)) return;
  for (const entry of readdirSync(benchTmp)) {
    if (entry.startsWith(prefix) && path.join(benchTmp, entry) !== keep)
      rmSync(path.join(benchTmp, entry), { recursive: true, force: true });
  }
}

/**
 * A built copy of the app. `ref` unset: the current work tree (what `next build` in the repo would
 * see, uncommitted changes included); otherwise a git ref (e.g. HEAD). Cached by content hash.
 */
export function buildAppSnapshot(
  repo: string,
  opts: {
    ref?: string;
    rebuild?: boolean;
    /** false: a copy without `next build` (the reminder phase runs the worker with tsx only). */
    build?: boolean;
    env: NodeJS.ProcessEnv;
    log: (s: string) => void;
  },
): BuiltApp {
  mkdirSync(benchTmp, { recursive: true });
  const build = opts.build ?? true;
  let key: string;
  let fill: (dir: string) => void;
  let source: string;
  if (opts.ref) {
    const commit = execFileSync("git", ["rev-parse", opts.ref], { cwd: repo }).toString().trim();
    key = `ref-${commit.slice(0, 16)}`;
    source = `git ${opts.ref} (${commit.slice(0, 12)})`;
    fill = (dir) => {
      const tar = execFileSync("git", ["archive", "--format=tar", commit], { cwd: repo, maxBuffer: 512 * 1024 * 1024 });
      execFileSync("tar", ["-x", "-C", dir], { input: tar });
      rmSync(path.join(dir, "bench"), { recursive: true, force: true });
    };
  } else {
    const files = listWorktreeFiles(repo);
    key = `wt-${hashFiles(repo, files)}`;
    const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repo }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: repo }).toString().trim().length > 0;
    source = `work tree at ${head}${dirty ? " + uncommitted changes" : ""}`;
    fill = (dir) => {
      for (const f of files) cpSync(path.join(repo, f), path.join(dir, f), { recursive: false });
    };
  }
  const dir = path.join(benchTmp, `app-${key}`);
  if (!opts.rebuild && existsSync(path.join(dir, ".bench-build-ok"))) {
    opts.log(`app build: reusing ${dir}`);
    return { dir, source, reused: true, buildSeconds: null };
  }
  if (!build) {
    // A copy without a build, kept apart from the built ones (pruning one kind leaves the other).
    const copy = path.join(benchTmp, `copy-${key}`);
    if (existsSync(path.join(copy, ".bench-copy-ok"))) {
      opts.log(`app copy (not built): reusing ${copy}`);
      return { dir: copy, source, reused: true, buildSeconds: null };
    }
    pruneOthers("copy-", copy);
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    fill(copy);
    linkNodeModules(path.join(repo, "node_modules"), path.join(copy, "node_modules"));
    writeFileSync(path.join(copy, ".bench-copy-ok"), new Date().toISOString());
    opts.log(`app copy in ${copy} (no next build: only the worker runs)`);
    return { dir: copy, source, reused: false, buildSeconds: null };
  }
  pruneOthers("app-", dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  fill(dir);
  linkNodeModules(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  opts.log(`app build: next build in ${dir} …`);
  const buildSeconds = nextBuild(dir, opts.env);
  return { dir, source, reused: false, buildSeconds };
}

// The baseline: the smallest App Router app there is, with the same Next.js and React. Its "/" is
// the bare page for first-load JS; its "/besok" is a dynamic page doing the same database work
// as the app's /besok (bench/lib/besok-sql.ts), rendered as a plain list: the framework's own
// cost for that page, without the app's layout, components, i18n and auth library.
function bareFiles(repo: string): Record<string, string> {
  const copy = (from: string) => readFileSync(path.join(repo, from), "utf8");
  return {
    "package.json": JSON.stringify({ name: "bare-next", private: true, type: "module" }, null, 2),
    "next.config.mjs":
      'export default { poweredByHeader: false, reactStrictMode: true, typescript: { ignoreBuildErrors: true }, serverExternalPackages: ["postgres"] };\n',
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["dom", "dom.iterable", "esnext"],
          strict: true,
          noEmit: true,
          module: "esnext",
          moduleResolution: "bundler",
          jsx: "react-jsx",
          isolatedModules: true,
          skipLibCheck: true,
          plugins: [{ name: "next" }],
          paths: { "@/*": ["./*"] },
        },
        include: ["**/*.ts", "**/*.tsx"],
        exclude: ["node_modules"],
      },
      null,
      2,
    ),
    "app/layout.tsx": `export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="sv">
      <body>{children}</body>
    </html>
  );
}
`,
    "app/page.tsx": `export default function Page() {
  return <h1>Hej</h1>;
}
`,
    "app/besok/page.tsx": `import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { besokContext, formatVisitTime, loadBesok, type VisitRow } from "@/lib/besok-sql";

export default async function Besok() {
  const h = await headers();
  const visits = await loadBesok(besokContext(process.env), { cookie: h.get("cookie"), forwardedFor: h.get("x-forwarded-for"), realIp: h.get("x-real-ip"), userAgent: h.get("user-agent") });
  if (!visits) redirect("/login?returnTo=%2Fbesok");
  const li = (v: VisitRow, i: number) => (
    <li key={i}>
      {formatVisitTime(v.startsAt, v.timeZone)} · {v.typeName} · {v.clinicName} · {v.status}
    </li>
  );
  return (
    <>
      <h1>Mina tider</h1>
      <h2>Kommande</h2>
      <ul>{visits.upcoming.map(li)}</ul>
      <h2>Tidigare</h2>
      <ul>{visits.past.map(li)}</ul>
    </>
  );
}
`,
    "lib/besok-sql.ts": copy("bench/lib/besok-sql.ts"),
    "lib/audit/hash-chain.ts": copy("lib/audit/hash-chain.ts"),
    "lib/auth/session-policy.ts": copy("lib/auth/session-policy.ts"),
    "lib/privacy/crypto.ts": copy("lib/privacy/crypto.ts"),
  };
}

export function buildBareNext(
  repo: string,
  opts: { rebuild?: boolean; env: NodeJS.ProcessEnv; log: (s: string) => void },
): BuiltApp {
  mkdirSync(benchTmp, { recursive: true });
  const nextVersion = (
    JSON.parse(readFileSync(path.join(repo, "node_modules/next/package.json"), "utf8")) as { version: string }
  ).version;
  const lock = readFileSync(path.join(repo, "package-lock.json"));
  const files = bareFiles(repo);
  const key = createHash("sha256").update(JSON.stringify(files)).update(lock).digest("hex").slice(0, 16);
  const dir = path.join(benchTmp, `bare-next-${nextVersion}-${key}`);
  const source = `minimal App Router app, next ${nextVersion}`;
  if (!opts.rebuild && existsSync(path.join(dir, ".bench-build-ok"))) {
    opts.log(`bare Next.js build: reusing ${dir}`);
    return { dir, source, reused: true, buildSeconds: null };
  }
  pruneOthers("bare-next-", dir);
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  linkNodeModules(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  opts.log(`bare Next.js build: next build in ${dir} …`);
  const buildSeconds = nextBuild(dir, opts.env);
  return { dir, source, reused: false, buildSeconds };
}
