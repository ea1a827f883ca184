// Set by the server when SIGTERM arrives, read by /api/health: a stopping instance answers 503
// so the load balancer stops sending it new patients while it finishes the ones it has.
const globalForShutdown = globalThis as unknown as { vardtidShuttingDown?: boolean };

export function markShuttingDown(): void {
  globalForShutdown.vardtidShuttingDown = true;
}

export function isShuttingDown(): boolean {
  return globalForShutdown.vardtidShuttingDown === true;
}
