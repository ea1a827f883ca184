import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The layers, enforced rather than hoped for (see README "Contributing"):
// - components/ is UI: it never imports from app/ (actions live in lib/ and are imported from there);
// - app/ is routing: pages, actions and route handlers reach the database only through lib/
//   (lib/*/dal.ts, the patientRoute/patientAction guards), never db/ or worker/ directly;
// - db/ is the schema and the client: it depends on nothing in lib/ but the environment.
const layer = (files, patterns) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

export const layerRules = [
  layer(
    ["components/**/*.{ts,tsx}"],
    [
      {
        group: ["@/app", "@/app/*", "**/app/*"],
        message: "components/ must not import from app/: put shared actions in lib/ or pass them as props.",
      },
    ],
  ),
  layer(
    ["app/**/*.{ts,tsx}"],
    [
      {
        group: ["@/db", "@/db/*"],
        message: "app/ reaches the database through lib/ (a dal.ts or a guard), never @/db directly.",
      },
      {
        group: ["@/worker", "@/worker/*"],
        message: "app/ must not import the worker: move the shared piece into lib/.",
      },
    ],
  ),
  layer(
    ["db/**/*.ts"],
    [
      {
        group: ["@/lib/*", "!@/lib/env"],
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
