// A node server that answers only our data and write routes (server/data-routes), as server/main.ts
// does before handing a request to Next.js; anything else is 404. For tests over real HTTP.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { BuildHeaders } from "@/lib/http/build-headers";
import { serveDataRoute } from "@/server/data-routes/index";

export async function startDataRouteServer(
  buildHeaders: BuildHeaders,
): Promise<{ base: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const served = serveDataRoute(req, res, buildHeaders);
    if (!served) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
