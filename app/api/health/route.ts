// For load balancers (readiness): process up, database reachable, migrations current, not
// shutting down. No patient data.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { migrationStatus } from "@/db/client";
import { isShuttingDown } from "@/lib/http/shutdown-state";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const started = Date.now();
  // Liveness (`?live`): the process answers. Not the database: an outage of Postgres must take the
  // instances out of rotation (readiness, below), not have them all restarted.
  if (new URL(request.url).searchParams.has("live")) {
    return Response.json({ status: "alive" }, { headers: { "Cache-Control": "no-store" } });
  }
  // Draining after SIGTERM: out of the load balancer's rotation, still finishing what it has.
  if (isShuttingDown()) {
    return Response.json({ status: "stopping" }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
  try {
    await db().execute(sql`select 1`);
    const migrations = await migrationStatus(db());
    const current = migrations.applied >= migrations.expected;
    return Response.json(
      {
        status: current ? "ok" : "degraded",
        database: "ok",
        migrations: { ...migrations, current },
        ms: Date.now() - started,
      },
      { status: current ? 200 : 503, headers: { "Cache-Control": "no-store" } },
    );
  } catch {
    return Response.json(
      { status: "error", database: "unreachable", ms: Date.now() - started },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
