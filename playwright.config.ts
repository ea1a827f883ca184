import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// The e2e run serves the production build on its own ports and a throwaway PGlite folder,
// so it never touches a developer's demo data or a running demo.
const port = Number(process.env.E2E_PORT ?? 3200);
const dataDir = process.env.E2E_DATA_DIR ?? path.join(mkdtempSync(path.join(tmpdir(), "vardtid-e2e-")), "pglite");
process.env.E2E_DATA_DIR = dataDir; // workers re-evaluate this file: keep one folder per run
// The server's output is also kept in a file, so the attack suite can check what it logged.
const serverLog = process.env.E2E_SERVER_LOG ?? path.join(path.dirname(dataDir), "server.log");
process.env.E2E_SERVER_LOG = serverLog;
const chromium = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export const e2eUrls = {
  app: `http://localhost:${port}`,
  bankid: `http://127.0.0.1:${port + 1}`,
  sms: `http://127.0.0.1:${port + 2}`,
};

const launchOptions = {
  executablePath: chromium,
  args: [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
  ],
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: e2eUrls.app,
    locale: "sv-SE",
    timezoneId: "Europe/Stockholm",
    trace: "retain-on-failure",
    launchOptions,
  },
  projects: [
    { name: "phone", use: { ...devices["Pixel 7"], viewport: { width: 390, height: 844 }, launchOptions } },
    // Stories that change data run once (at the phone viewport); the desktop run checks the shell.
    {
      name: "desktop",
      testMatch: /start-page\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions },
    },
  ],
  webServer: {
    command: `npx tsx scripts/start.ts 2>&1 | tee -a ${JSON.stringify(serverLog)}`,
    url: `${e2eUrls.app}/api/health`,
    timeout: 600_000, // a first build (type check included) and the demo seed on two busy cores
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(port),
      PUBLIC_BASE_URL: e2eUrls.app,
      BANKID_SIM_PORT: String(port + 1),
      SMS_SIM_PORT: String(port + 2),
      PGLITE_DATA_DIR: dataDir,
      DATABASE_URL: "",
      VARDTID_MODE: "demo",
      LOGIN_RATE_LIMIT_PER_MINUTE: "100",
    },
  },
});
