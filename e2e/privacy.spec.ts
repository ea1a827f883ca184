import { readFileSync } from "node:fs";
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.describe("the patient's own data", () => {
  test("sees who accessed their data and downloads all of it", async ({ page }) => {
    await loginWithBankId(page, "maja");
    await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Åtkomst" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Vem har sett mina uppgifter" })).toBeVisible();
    const log = page.getByRole("table");
    await expect(log.getByRole("row").filter({ hasText: "Inloggning med BankID" }).first()).toBeVisible();
    await expect(log.getByRole("row").filter({ hasText: "Visade dina tider" }).first()).toContainText("Du");
    await expectAccessible(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Ladda ner mina uppgifter" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("vardtid-mina-uppgifter.json");
    const data = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(data.patient).toMatchObject({ personalNumber: "195001182046", givenName: "Maja" });
    expect(data.appointments.length).toBeGreaterThan(0);
    await page.reload();
    await expect(log.getByRole("row").filter({ hasText: "Laddade ner dina uppgifter" }).first()).toBeVisible();
  });
});
