// Runs once when the server starts: validate configuration (one clear line and exit on error),
// then, in demo mode (RUN_WORKER_IN_APP), start the job worker inside the app process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { envOrExit } = await import("./lib/env");
  const e = envOrExit();
  if (e.RUN_WORKER_IN_APP) {
    const { startInAppWorker } = await import("./worker/in-app");
    startInAppWorker(e);
  }
}
