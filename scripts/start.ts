// `npm start`: the whole product on one machine. Validates configuration, builds if the build is
// missing or older than the sources, migrates (and in demo mode seeds on first run), starts the
// BankID and SMS simulators in demo mode, then serves the app with `next start`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { envOrExit } from "@/lib/env";
import { migrateDatabase, openDatabase } from "@/db/client";
import { isSeeded, seedDemoData } from "@/lib/demo/seed";

const root = process.cwd();
// Next.js would otherwise report usage to Vercel: nothing about Vårdtid leaves the machine.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const e = envOrExit();
const demo = !e.isProduction;

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  // Files only: a folder's own time changes when the build writes into it (public/sw.js), which
  // made every start after a build look stale and build again (a second 2-4 minutes for nothing).
  let newest = 0;
  for (const entry of readdirSync(target)) {
    // Build outputs that live among the sources (the service worker, the offline stylesheet).
    if (entry === "node_modules" || entry.startsWith(".") || entry.startsWith("sw.js") || entry === "offline.css")
      continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
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

const children: ChildProcess[] = [];
function stopAll(code: number): never {
  for (const child of children) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

if (!buildIsCurrent()) {
  console.log("Building Vårdtid (first start or changed sources); this takes a few minutes on two cores …");
  // Next.js prints little while it compiles, so a line every 15 s shows the start is not stuck.
  const started = Date.now();
  const result = await new Promise<{ status: number | null }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", "build"], { stdio: "inherit", env: process.env });
    const ticker = setInterval(
      () => console.log(`… still building (${Math.round((Date.now() - started) / 1000)} s)`),
      15_000,
    );
    child.on("exit", (status) => {
      clearInterval(ticker);
      resolve({ status });
    });
  });
  console.log(`Build finished in ${Math.round((Date.now() - started) / 1000)} s.`);
  if (result.status !== 0) {
    console.error("The build failed; see the lines above.");
    process.exit(1);
  }
}

const handle = openDatabase({ url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR, max: 1 });
await migrateDatabase(handle);
if (demo && !(await isSeeded(handle.db))) {
  const r = await seedDemoData(handle.db, { keys: { encryptionKey: e.PII_ENCRYPTION_KEY, hmacKey: e.PII_HMAC_KEY } });
  console.log(`Demo data seeded: ${r.slots} slots, ${r.appointments} appointments.`);
}
// PGlite allows one process per data folder: close before the server opens it.
await handle.close();

const childEnv = { ...process.env, PORT: String(e.PORT) };
function run(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: "inherit", env: childEnv });
  child.on("exit", (code) => {
    console.error(`${name} stopped (exit code ${code ?? "signal"}).`);
    stopAll(code ?? 1);
  });
  children.push(child);
  return child;
}

const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
if (demo) {
  if (existsSync(path.join(root, "simulators/bankid/main.ts")))
    run("BankID simulator", [tsx, "simulators/bankid/main.ts"]);
  if (existsSync(path.join(root, "simulators/sms/main.ts"))) run("SMS simulator", [tsx, "simulators/sms/main.ts"]);
}
run("Vårdtid", [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(e.PORT)]);

if (demo) {
  console.log(
    [
      "",
      `  Vårdtid (demo):      ${e.PUBLIC_BASE_URL}`,
      `  BankID test app:     http://127.0.0.1:${e.BANKID_SIM_PORT}/   (log in as Tolvan Tolvansson, 19121212-1212)`,
      `  SMS inbox:           http://127.0.0.1:${e.SMS_SIM_PORT}/`,
      "",
    ].join("\n"),
  );
}
