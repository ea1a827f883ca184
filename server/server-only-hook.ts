// `server-only` is a marker for Next's bundler: imported anywhere but React's server graph it
// throws, and our own server (run by tsx, or bundled for the image) is such a place. The data
// routes (server/data-routes) use modules that carry the marker, so for this process it resolves
// to an empty module, as the image's bundle aliases it (scripts/assemble-standalone.ts). Import
// this before anything that reaches such a module, and load those dynamically: a static import is
// resolved before any module body runs.
import { register } from "node:module";

const hooks = `export async function resolve(specifier, context, next) {
  return specifier === "server-only" ? { url: "data:text/javascript,", shortCircuit: true } : next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
