// Runs once when the server starts: validate configuration (one clear line and exit on error),
// then, in demo mode (RUN_WORKER_IN_APP), start the job worker inside the app process; on embedded
// PGlite, open the loopback admin channel so admin commands work while the app holds the folder.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { envOrExit } = await import("./lib/env");
  const e = envOrExit();
  if (e.RUN_WORKER_IN_APP) {
    const { startInAppWorker } = await import("./worker/in-app");
    startInAppWorker(e);
  }
  if (!e.DATABASE_URL) {
    const { processDatabaseHandle } = await import("./db/handle");
    const { startAdminChannel } = await import("./lib/admin/channel-server");
    await startAdminChannel(processDatabaseHandle().db, e.PGLITE_DATA_DIR);
  }
}
