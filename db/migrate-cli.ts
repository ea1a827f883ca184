// npm run migrate: applies the committed migrations to DATABASE_URL or the PGlite data folder.
import { envOrExit } from "@/lib/env";
import { databaseOptionsFromEnv, migrateDatabase, openDatabase } from "./client";

const e = envOrExit();
// Two connections: one holds the migration lock, the other migrates.
const handle = openDatabase({ ...databaseOptionsFromEnv(e), max: 2 });
await migrateDatabase(handle);
console.log(`Migrations applied (${handle.driver}).`);
await handle.close();
