// Runs once when the server starts: validate configuration (one clear line and exit on error),
// then, in demo mode, start the job worker inside the app process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { envOrExit } = await import("./lib/env");
  envOrExit();
}
