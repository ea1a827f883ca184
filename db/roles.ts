// Applies db/roles.sql for one app role (see the comments there). The role name is checked to be a
// plain identifier before it is put into the SQL.
import { readFileSync } from "node:fs";
import path from "node:path";
import type postgres from "postgres";

const ROLE = /^[a-z_][a-z0-9_]{0,62}$/;

export function rolesSql(appRole: string): string {
  if (!ROLE.test(appRole)) throw new Error("the app role must be a plain lower-case SQL identifier");
  const template = readFileSync(path.join(/*turbopackIgnore: true*/ process.cwd(), "db", "roles.sql"), "utf8");
  return template.replaceAll("{{app_role}}", `"${appRole}"`);
}

/** Runs the script in one transaction (all rights or none). */
export async function applyRoles(client: postgres.Sql, appRole: string): Promise<void> {
  const script = rolesSql(appRole);
  await client.begin((tx) => tx.unsafe(script));
}
