// keys.rotate: re-encrypts every encrypted column to the current key version, as an admin command
// so `npm run keys:rotate` also works while `npm start` holds the embedded database (it then runs
// inside the app, with the app's keys, through the admin channel). Arguments: { batchSize? }.
import { env } from "@/lib/env";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";
import { rotateEncryptedColumns } from "@/lib/privacy/rotate-keys";
import { AdminInputError, registerAdminCommand } from "../registry";

registerAdminCommand({
  name: "keys.rotate",
  run: async (db, args) => {
    const batchSize = args.batchSize === undefined ? 500 : Number(args.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      throw new AdminInputError("batchSize must be a whole number from 1 to 10000");
    return rotateEncryptedColumns(db, piiKeysFromEnv(env()), { batchSize });
  },
});
