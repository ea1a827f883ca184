// The data and write routes our own server answers before Next.js (see patient-data-route.ts for why), by
// exact path. Everything else goes to Next.js.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BuildHeaders } from "@/lib/http/build-headers";
import { appointmentsRoute } from "./appointments";
import { offerAnswerRoute } from "./offer-answer";
import { rebookRoute } from "./rebook";
import type { DataRoute } from "./patient-data-route";

const routes: Record<string, DataRoute> = {
  "/api/appointments": appointmentsRoute,
  "/api/offer-answer": offerAnswerRoute,
  "/api/rebook": rebookRoute,
};

/** The route's path when this request is one of ours (also its metric label), else null. */
export function dataRoutePath(url: string | undefined): string | null {
  const path = (url ?? "/").split("?")[0]!;
  return Object.hasOwn(routes, path) ? path : null;
}

/** Answers the request if it is a data route; false when Next.js should. */
export function serveDataRoute(
  req: IncomingMessage,
  res: ServerResponse,
  headers: BuildHeaders,
): Promise<void> | false {
  const path = dataRoutePath(req.url);
  return path ? routes[path]!(req, res, headers) : false;
}
