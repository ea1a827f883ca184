// `npm start`: the whole product on one machine. Validates configuration, builds if the build is
// missing or older than the sources, migrates (and in demo mode seeds on first run), starts the
// BankID and SMS simulators in demo mode, then serves the app with our server (server/main.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { envOrExit } from "@/lib/env";
import { databaseOptionsFromEnv, migrateDatabase, openDatabase } from "@/db/client";
import { isSeeded, seedDemoData } from "@/lib/demo/seed";
import { ensureBuild } from "./lib/build";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

const root = process.cwd();
// Next.js would otherwise report usage to Vercel: nothing about Vårdtid leaves the machine.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const e = envOrExit();
const demo = !e.isProduction;

const children: ChildProcess[] = [];
function stopAll(code: number): never {
  for (const child of children) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

if (!ensureBuild(root)) {
  console.error("The build failed; see the lines above.");
  process.exit(1);
}

const handle = openDatabase({ ...databaseOptionsFromEnv(e), max: 2 });
await migrateDatabase(handle);
if (demo && !(await isSeeded(handle.db))) {
  const r = await seedDemoData(handle.db, { keys: piiKeysFromEnv(e) });
  console.log(`Demo data seeded: ${r.slots} slots, ${r.appointments} appointments.`);
}
// PGlite allows one process per data folder: close before the server opens it.
await handle.close();

const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(e.PORT) };
// Demo: the SMS simulator delivers patients' replies to our incoming route (used when SMS_SENDER
// is a number, for cancel by SMS reply).
if (demo && !childEnv.SMS_SIM_SMS_URL)
  childEnv.SMS_SIM_SMS_URL = `${e.PUBLIC_BASE_URL}/api/sms/incoming?secret=${encodeURIComponent(e.SMS_WEBHOOK_SECRET)}`;
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
// Our own server around Next.js (server/main.ts): the client address from the socket, JSON logs.
run("Vårdtid", [tsx, "server/main.ts"]);

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
