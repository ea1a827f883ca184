// `npm run build:standalone` (after `npm run build`): completes Next's traced server tree
// (.next/standalone) into what the container runs, so the image and the test that starts it
// (deploy/standalone.test.ts) use the very same folder:
//   dist/server.mjs   our server (server/main.ts): the app          → the image's CMD
//   dist/worker.mjs   the job worker (worker/main.ts)                → the worker Deployment
//   dist/migrate.mjs  the migrations (db/migrate-cli.ts)             → the migration Job
//   .next/static, public, db/migrations   what Next does not copy itself
//   .next/cache → /tmp/vardtid-next-cache, so a read-only root filesystem is enough
// Entry points are bundled with esbuild; packages the traced tree already holds stay external.
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = process.cwd();
const out = path.join(root, ".next", "standalone");
if (!existsSync(path.join(out, "server.js"))) {
  console.error("No .next/standalone: run `npm run build` first (next.config.js has output: 'standalone').");
  process.exit(1);
}

// Present in the traced tree (serverExternalPackages and Next itself); checked below.
const external = ["next", "@electric-sql/pglite", "postgres", "pino", "prom-client"];

const entries = { server: "server/main.ts", worker: "worker/main.ts", migrate: "db/migrate-cli.ts" };
mkdirSync(path.join(out, "dist"), { recursive: true });
await build({
  entryPoints: entries,
  outdir: path.join(out, "dist"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external,
  alias: { "server-only": path.join(root, "test", "server-only-stub.ts") },
  tsconfig: path.join(root, "tsconfig.json"),
  // Bundled CommonJS packages call require(); give ESM one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});

for (const name of external) {
  if (!existsSync(path.join(out, "node_modules", name, "package.json"))) {
    console.error(`The standalone tree lacks ${name}; add it to serverExternalPackages in next.config.js.`);
    process.exit(1);
  }
}

const copy = (from: string, to: string) => {
  rmSync(path.join(out, to), { recursive: true, force: true });
  cpSync(path.join(root, from), path.join(out, to), { recursive: true });
};
copy(".next/static", ".next/static");
copy("public", "public");
copy("db/migrations", "db/migrations");
const cache = path.join(out, ".next", "cache");
rmSync(cache, { recursive: true, force: true });
symlinkSync("/tmp/vardtid-next-cache", cache);
console.log(
  `Standalone tree ready in ${path.relative(root, out)} (dist/server.mjs, dist/worker.mjs, dist/migrate.mjs).`,
);
