import { defineConfig } from "drizzle-kit";

// Migrations are generated once and committed; both drivers (postgres.js and PGlite) apply the same SQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
