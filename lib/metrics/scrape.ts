import "server-only";
// What GET /api/metrics answers: the token check, then the process's registry with the database
// gauges refreshed. No patient data: counts by status.
import { db } from "@/db";
import { env } from "@/lib/env";
import { bearerMatches } from "./bearer";
import { refreshDatabaseGauges } from "./database-gauges";
import { metrics } from "./registry";

export async function scrapeMetrics(authorization: string | null): Promise<Response> {
  const token = env().METRICS_TOKEN;
  if (!token) return new Response("Not found\n", { status: 404 });
  if (!bearerMatches(authorization, token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  const { registry } = metrics();
  await refreshDatabaseGauges(db(), registry);
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
