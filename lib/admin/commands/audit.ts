// audit.verify: the hash-chain check, as an admin command so `npm run audit:verify` also works while
// `npm start` holds the embedded database (it then runs inside the app, through the admin channel).
import { checkAuditChain } from "@/lib/audit/chain-status";
import { registerAdminCommand } from "../registry";

registerAdminCommand({
  name: "audit.verify",
  run: async (db) => checkAuditChain(db, () => {}),
});
