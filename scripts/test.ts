// `npm test`: the whole suite, in the order that fails fastest: types, lint, unit and integration
// tests (PGlite always, real Postgres when TEST_DATABASE_URL is set), then e2e in Chromium.
import { spawnSync } from "node:child_process";

const steps: [string, string[]][] = [
  ["Type check (tsc --noEmit)", ["npx", "tsc", "--noEmit"]],
  ["Format (prettier --check)", ["npx", "prettier", "--check", "."]],
  ["Lint (eslint)", ["npx", "eslint", ".", "--max-warnings=0"]],
  ["Unit and integration tests (vitest)", ["npx", "vitest", "run"]],
  ["End-to-end tests (playwright, Chromium)", ["npx", "playwright", "test"]],
];

if (!process.env.TEST_DATABASE_URL) {
  console.log("Note: TEST_DATABASE_URL is not set, so integration tests run on PGlite only (see README).");
}
const summary: string[] = [];
let failed = false;
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(cmd!, args, { stdio: "inherit", env: process.env });
  const ok = result.status === 0;
  summary.push(`${ok ? "PASS" : "FAIL"}  ${name}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) {
    failed = true;
    break;
  }
}
console.log(`\n=== Summary ===\n${summary.join("\n")}`);
process.exit(failed ? 1 : 0);
