// Prometheus metrics, for the platform's monitoring only: behind METRICS_TOKEN (a bearer token the
// scraper sends), 404 when no token is configured (lib/metrics/scrape.ts).
import { scrapeMetrics } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return scrapeMetrics(request.headers.get("authorization"));
}
