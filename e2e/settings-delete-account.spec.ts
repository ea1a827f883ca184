// Leave (issue 12): a patient deletes their account after a fresh BankID login (step-up) and a new
// login starts with no contact details, while the clinic's appointments remain. Elsa is the patient:
// only appointments.spec.ts (which runs before this file) uses her, and no later spec does.
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

const DELETE_PAGE = "/installningar/radera-konto";

test("a patient deletes their account after a fresh login; the appointments stay", async ({ page }) => {
  await loginWithBankId(page, "elsa");
  await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
  const upcoming = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem");
  await expect(upcoming.first()).toBeVisible();
  const visitsBefore = await upcoming.count();
  expect(visitsBefore).toBeGreaterThanOrEqual(1);

  await page.goto("/installningar");
  await expect(page.getByText(/^Bekräftat nummer: /)).toBeVisible();
  await page.getByRole("link", { name: "Radera mitt konto" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Radera mitt konto" })).toBeVisible();
  // What stays is said before the patient decides.
  await expect(page.getByRole("heading", { name: "Det här finns kvar hos vårdgivaren" })).toBeVisible();
  await expect(page.getByText(/Dina bokade och tidigare besök/)).toBeVisible();

  // Step-up: logged in already, the patient goes through BankID again and comes back here.
  await loginWithBankId(page, "elsa", `/login?returnTo=${encodeURIComponent(DELETE_PAGE)}&igen=1`);
  await expect(page).toHaveURL(new RegExp(`${DELETE_PAGE}$`));
  await page.setViewportSize({ width: 320, height: 700 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await expectAccessible(page);

  // The confirm step: the button does nothing until the patient ticks that they understand.
  const confirm = page.getByRole("button", { name: "Radera mitt konto" });
  await confirm.click();
  await expect(page).toHaveURL(new RegExp(`${DELETE_PAGE}$`));
  await page.getByLabel(/Jag förstår att mina kontaktuppgifter/).check();
  await confirm.click();

  await page.waitForURL(/\/login\?raderat=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Ditt konto är raderat och du är utloggad." })).toBeVisible();
  await expect(page.getByText(/Dina besök och loggen över vem som har sett dina uppgifter finns kvar/)).toBeVisible();
  await expectAccessible(page);
  // Logged out: a patient page sends the browser to the login.
  await page.goto("/installningar");
  await expect(page).toHaveURL(/\/login\?returnTo=%2Finstallningar/);

  // A new login: the clinic's appointments are all there, the contact details are not.
  await loginWithBankId(page, "elsa");
  await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
  await expect(upcoming).toHaveCount(visitsBefore);
  await page.goto("/installningar");
  await expect(page.getByText("Inget bekräftat nummer.")).toBeVisible();
  await expect(page.getByText(/^Bekräftat nummer: /)).toHaveCount(0);
});
