import "server-only";
// For load balancers: process up, database reachable, migrations current. No patient data.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { migrationStatus } from "@/db/client";

export interface HealthReport {
  httpStatus: 200 | 503;
  body: Record<string, unknown>;
}

export async function healthStatus(): Promise<HealthReport> {
  const started = Date.now();
  try {
    await db().execute(sql`select 1`);
    const migrations = await migrationStatus(db());
    const current = migrations.applied >= migrations.expected;
    return {
      httpStatus: current ? 200 : 503,
      body: {
        status: current ? "ok" : "degraded",
        database: "ok",
        migrations: { ...migrations, current },
        ms: Date.now() - started,
      },
    };
  } catch {
    return { httpStatus: 503, body: { status: "error", database: "unreachable", ms: Date.now() - started } };
  }
}
