// `npm run db:roles -- <app_role>`: gives the app's database role its rights, with the audit trail
// append-only for it (db/roles.sql). Connects with DB_ADMIN_URL (the table owner), or DATABASE_URL.
import postgres from "postgres";
import { applyRoles } from "@/db/roles";

const appRole = process.argv[2] ?? process.env.DB_APP_ROLE;
const url = process.env.DB_ADMIN_URL ?? process.env.DATABASE_URL;
if (!appRole || !url) {
  console.error("Usage: DB_ADMIN_URL=postgres://owner@host/db npm run db:roles -- <app_role>");
  process.exit(1);
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await applyRoles(sql, appRole);
  console.log(`Rights set for ${appRole}: audit_events is INSERT and SELECT only.`);
} catch (error) {
  console.error("db:roles failed:", error instanceof Error ? error.message : "unknown error");
  process.exitCode = 1;
} finally {
  await sql.end();
}
