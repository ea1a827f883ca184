// The metric and log label for a request: the route pattern from the build's routes manifest
// ("/besok/[id]"), never the raw path, which can carry an SMS link token or a patient's ids and
// would make the label set unbounded.
import { readFileSync } from "node:fs";
import path from "node:path";

interface ManifestRoute {
  page: string;
  regex: string;
}

export type RouteLabeler = (pathname: string) => string;

export function routeLabelerFromManifest(manifest: {
  staticRoutes?: ManifestRoute[];
  dynamicRoutes?: ManifestRoute[];
}): RouteLabeler {
  const routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => ({
    page: r.page,
    re: new RegExp(r.regex),
  }));
  return (pathname) => {
    if (pathname.startsWith("/_next/")) return "/_next/*";
    for (const r of routes) if (r.re.test(pathname)) return r.page;
    return "other";
  };
}

/** Reads `<dir>/.next/routes-manifest.json`; without a build (dev), every route is "other". */
export function loadRouteLabeler(dir: string): RouteLabeler {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, ".next", "routes-manifest.json"), "utf8"));
    return routeLabelerFromManifest(manifest);
  } catch {
    return (pathname) => (pathname.startsWith("/_next/") ? "/_next/*" : "other");
  }
}
