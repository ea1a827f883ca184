import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The layers, enforced rather than hoped for (see README "Contributing"):
// - components/ is UI: it never imports from app/ (actions live in lib/ and are imported from there);
// - app/ is routing: pages, actions and route handlers reach the database only through lib/
//   (lib/*/dal.ts, the patientRoute/patientAction guards), never db/ or worker/ directly;
// - db/ is the schema and the client: it depends on nothing in lib/ but the environment.

// A specifier that reaches the top-level folder `dir`, by the alias ("@/db/schema") or by climbing
// to it ("../../db/schema"): a layer holds however the path is spelled. A relative path that climbs
// to a same-named folder further down is refused too; there is none, and the alias says it better.
const reaching = (dir) => `^(@/|(\\.\\./)+)${dir}`;

// Each forbidden path is refused in static imports and re-exports (no-restricted-imports) and in
// dynamic import("…"), which no-restricted-imports does not see (no-restricted-syntax).
const layer = (files, forbidden) => ({
  files,
  rules: {
    "no-restricted-imports": ["error", { patterns: forbidden }],
    "no-restricted-syntax": [
      "error",
      ...forbidden.map(({ regex, message }) => ({
        selector: `ImportExpression[source.value=/${regex.replaceAll("/", "\\/")}/i]`,
        message,
      })),
    ],
  },
});

export const layerRules = [
  layer(
    ["components/**/*.{ts,tsx}"],
    [
      {
        regex: `${reaching("app")}(/|$)`,
        message: "components/ must not import from app/: put shared actions in lib/ or pass them as props.",
      },
    ],
  ),
  layer(
    ["app/**/*.{ts,tsx}"],
    [
      {
        regex: `${reaching("db")}(/|$)`,
        message: "app/ reaches the database through lib/ (a dal.ts or a guard), never db/ directly.",
      },
      {
        regex: `${reaching("worker")}(/|$)`,
        message: "app/ must not import the worker: move the shared piece into lib/.",
      },
    ],
  ),
  layer(
    ["db/**/*.ts"],
    [
      {
        regex: `${reaching("lib")}(/(?!env$)|$)`,
        message: "db/ depends on nothing in lib/ but lib/env: move the shared piece down or the caller up.",
      },
    ],
  ),
];

const config = [
  ...nextVitals,
  ...nextTs,
  ...layerRules,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "data/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "public/sw.js",
    ],
  },
];
export default config;
