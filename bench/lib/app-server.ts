// The real app (our server around the snapshot's build, as deployed) against a bench database, and the checks that it
// serves the logged-in page view to the bench session and not without one (so a marker check
// proves something).
import { demoEnv, type BenchPatient } from "./data";
import { PAGE_VIEW } from "./page-view";
import { startChild, waitFor, type Child } from "./proc";

export function runtimeEnv(port: number, dbUrl: string, patient: BenchPatient | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    VARDTID_MODE: "demo",
    DATABASE_URL: dbUrl,
    RUN_WORKER_IN_APP: "false",
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    AUTH_SECRET: patient?.secret ?? demoEnv().AUTH_SECRET,
    // Nothing on these pages calls the simulators; keep their ports inside the bench's range anyway.
    BANKID_SIM_PORT: "3698",
    SMS_SIM_PORT: "3699",
  };
}

async function get(url: string, cookie?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  return { status: res.status, body: await res.text() };
}

/**
 * Starts the app as it is deployed: our own server (server/main.ts, which serves the data routes
 * itself and everything else through Next.js), on `port`, and checks every request of the page
 * view, with and without the session.
 */
export async function startAppServer(
  name: string,
  appDir: string,
  port: number,
  dbUrl: string,
  patient: BenchPatient,
): Promise<Child> {
  const child = startChild(
    name,
    process.execPath,
    [...(process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean), "--import", "tsx", "server/main.ts"],
    { cwd: appDir, env: runtimeEnv(port, dbUrl, patient), quiet: true },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the app server", async () => (await get(`${base}${PAGE_VIEW[0]!.path}`)).status > 0, {
    timeoutMs: 60_000,
    child,
  });
  for (const step of PAGE_VIEW) {
    const ok = await get(`${base}${step.path}`, patient.cookie);
    if (ok.status !== (step.status ?? 200) || !ok.body.includes(step.marker))
      throw new Error(`${name}: GET ${step.path} with the bench session: status ${ok.status}, marker missing`);
    const anon = await get(`${base}${step.path}`);
    if (anon.body.includes(step.marker))
      throw new Error(`${name}: GET ${step.path} without a session shows the logged-in page`);
  }
  return child;
}
