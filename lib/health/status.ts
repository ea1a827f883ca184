import "server-only";
// For load balancers: process up, database reachable, migrations current. No patient data.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { migrationStatus } from "@/db/client";
import { isShuttingDown } from "@/lib/http/shutdown-state";
import { cachedAuditChainStatus } from "@/lib/audit/chain-status";

export interface HealthReport {
  httpStatus: 200 | 503;
  body: Record<string, unknown>;
}

export async function healthStatus(options: { live?: boolean } = {}): Promise<HealthReport> {
  const started = Date.now();
  // Liveness: the process answers. Not the database: an outage of Postgres must take the
  // instances out of rotation (readiness, below), not have them all restarted.
  if (options.live) return { httpStatus: 200, body: { status: "alive" } };
  // Draining after SIGTERM: out of the load balancer's rotation, still finishing what it has.
  if (isShuttingDown()) return { httpStatus: 503, body: { status: "stopping" } };
  try {
    await db().execute(sql`select 1`);
    const migrations = await migrationStatus(db());
    const current = migrations.applied >= migrations.expected;
    // Reported, never part of the status code: a broken audit chain is an incident, not downtime.
    const audit = cachedAuditChainStatus(db());
    return {
      httpStatus: current ? 200 : 503,
      body: {
        status: current ? "ok" : "degraded",
        database: "ok",
        migrations: { ...migrations, current },
        auditChain: audit
          ? { intact: audit.intact, checkedAt: audit.checkedAt, problems: audit.problemCount }
          : { intact: null, checkedAt: null },
        ms: Date.now() - started,
      },
    };
  } catch {
    return { httpStatus: 503, body: { status: "error", database: "unreachable", ms: Date.now() - started } };
  }
}
