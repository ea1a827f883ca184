import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { accessActionKey, auditActionsIn } from "./access-labels";

// A patient reading "Annan åtgärd (waitlist.offer.accept)" learns nothing: every action the code
// records must have words in the access log, in Swedish and English.
const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry) ? [full] : [];
  });
}

const actions = [
  ...new Set(
    ["lib", "worker", "app"].flatMap((dir) =>
      sourceFiles(path.join(root, dir)).flatMap((file) => auditActionsIn(readFileSync(file, "utf8"))),
    ),
  ),
].sort();

describe("auditActionsIn", () => {
  it("finds literals in action fields, ternaries and audit(ctx, tx, …) helpers, and nothing else", () => {
    const source = `
      await recordAudit(tx, { actorType: "patient", action: "appointment.cancel", resourceType: "appointment" });
      action: updated.length ? "waitlist.change" : "waitlist.join",
      await audit(ctx, tx, enabled ? "notification.sms.consent_given" : "notification.sms.consent_withdrawn", {
      await audit(ctx, tx, "patient.phone.verified");
      await queueClinicEvent(tx, id, "appointment.cancelled", {});
      const reason = "appointment.moved";`;
    expect(auditActionsIn(source)).toEqual([
      "appointment.cancel",
      "notification.sms.consent_given",
      "notification.sms.consent_withdrawn",
      "patient.phone.verified",
      "waitlist.change",
      "waitlist.join",
    ]);
  });
});

describe("access log words", () => {
  it("finds the actions the code records (the scan is not empty)", () => {
    expect(actions).toEqual(
      expect.arrayContaining(["waitlist.offer.accept", "patient.phone.verified", "auth.login.success"]),
    );
  });

  it.each(["sv", "en"])("has words in %s for every action recorded anywhere in lib/, worker/ and app/", (lang) => {
    const common = JSON.parse(readFileSync(path.join(root, "messages", lang, "common.json"), "utf8")) as {
      access: { actions: Record<string, string> };
    };
    const missing = actions.filter((a) => !common.access.actions[accessActionKey(a)]?.trim());
    expect(missing, `access.actions in messages/${lang}/common.json`).toEqual([]);
  });
});
