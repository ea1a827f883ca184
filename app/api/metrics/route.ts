// Prometheus metrics, for the platform's monitoring only: behind METRICS_TOKEN (a bearer token
// the ServiceMonitor sends), 404 when no token is configured. No patient data: counts by status.
import { db } from "@/db";
import { env } from "@/lib/env";
import { bearerMatches } from "@/lib/metrics/bearer";
import { refreshDatabaseGauges } from "@/lib/metrics/database-gauges";
import { metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const token = env().METRICS_TOKEN;
  if (!token) return new Response("Not found\n", { status: 404 });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  const { registry } = metrics();
  await refreshDatabaseGauges(db(), registry);
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
