// npm run migrate: applies the committed migrations to DATABASE_URL or the PGlite data folder.
import { envOrExit } from "@/lib/env";
import { migrateDatabase, openDatabase } from "./client";

const e = envOrExit();
const handle = openDatabase({ url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR, max: 1 });
await migrateDatabase(handle);
console.log(`Migrations applied (${handle.driver}).`);
await handle.close();
