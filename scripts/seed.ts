// npm run seed: migrates, then inserts the demo data set if the database has no clinics yet.
// Refuses in production mode: demo patients never belong in a real database.
import { envOrExit } from "@/lib/env";
import { migrateDatabase, openDatabase } from "@/db/client";
import { isSeeded, seedDemoData } from "@/lib/demo/seed";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

const e = envOrExit();
if (e.isProduction) {
  console.error("Refusing to seed demo data in production mode.");
  process.exit(1);
}
const handle = openDatabase({ url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR, max: 1 });
await migrateDatabase(handle);
if (await isSeeded(handle.db)) {
  console.log("Demo data already present; nothing to do.");
} else {
  const result = await seedDemoData(handle.db, {
    keys: piiKeysFromEnv(e),
  });
  console.log(`Demo data seeded: ${result.slots} slots, ${result.appointments} appointments.`);
}
await handle.close();
