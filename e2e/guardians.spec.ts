// Issue 17's "done means" for guardians: Tolvan logs in (acting for himself by default), switches
// to his 7-year-old, rebooks her visit, and her access log shows it as done by her guardian.
import { latestPendingOrder, loginWithBankId, simulator } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test("a guardian switches to the child, rebooks the child's visit, and the child's access log shows it", async ({
  page,
}) => {
  await loginWithBankId(page, "tolvan");
  const chooser = page.getByRole("form", { name: "Vem du agerar för" });
  await expect(chooser.getByRole("button", { name: "Du: Tolvan" })).toHaveAttribute("aria-pressed", "true");
  // Only the child under 13: the 14-year-old is not offered.
  await expect(chooser.getByRole("button")).toHaveCount(2);
  await chooser.getByRole("button", { name: /^Lilla Tolvan, \d+ år$/ }).click();
  await expect(page.getByText("Du agerar för Lilla Tolvan.")).toBeVisible();
  await expect(chooser.getByRole("button", { name: /^Lilla Tolvan/ })).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(page);

  const upcoming = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem");
  await expect(upcoming).toHaveCount(2);
  await upcoming.first().getByRole("link").click();
  await page.getByRole("link", { name: "Omboka" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Välj en ny tid" })).toBeVisible();
  await page
    .getByRole("button", { name: /^Boka / })
    .first()
    .click();
  await page.getByRole("button", { name: "Ja, flytta besöket" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Klart! Ditt besök är flyttat till/ })).toBeVisible();
  // Still acting for the child on the next page, and the log is hers.
  await expect(page.getByText("Du agerar för Lilla Tolvan.")).toBeVisible();

  await page.getByRole("link", { name: "Åtkomst" }).first().click();
  const row = page.getByRole("row").filter({ hasText: "Ombokade ett besök" }).first();
  await expect(row).toContainText("Tolvan Tolvansson (vårdnadshavare)");
  await expectAccessible(page);

  // The child's SMS go to his own confirmed number; no phone form for the child's number.
  await page.goto("/installningar");
  await expect(page.getByText(/^Barnets sms går till ditt bekräftade nummer 070-\*\*\* \*\* 05\./)).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Mobilnummer" })).toHaveCount(0);

  // A calendar link would outlive custody: not for a child.
  await page.goto("/installningar/kalender");
  await page.getByRole("button", { name: "Slå på kalenderprenumeration" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Som vårdnadshavare kan du inte skapa en kalenderlänk för barnet." }),
  ).toBeVisible();

  // Nor can he delete her account.
  await page.goto("/installningar/radera-konto");
  await expect(page.getByText("Som vårdnadshavare kan du inte radera barnets konto.", { exact: false })).toBeVisible();
  await expect(page.getByRole("button", { name: /radera/i })).toHaveCount(0);

  // Back to himself: his own visits, not hers.
  await page.getByRole("button", { name: "Du: Tolvan" }).click();
  await expect(page.getByText("Du visar dina egna uppgifter.")).toBeVisible();
});

test("a 14-year-old's own BankID login is refused with the reason (from 13 to 15 neither online)", async ({ page }) => {
  const tolva = { personalNumber: "201203102387", givenName: "Tolva", surname: "Tolvansson" };
  await page.goto("/login");
  await page.getByLabel("BankID på annan enhet").check();
  await page.getByRole("button", { name: "Logga in", exact: true }).click();
  await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
  const order = await latestPendingOrder();
  expect(
    (await simulator(`/__simulator/orders/${order.orderRef}/scan`, { personalNumber: tolva.personalNumber })).ok,
  ).toBe(true);
  expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, tolva)).ok).toBe(true);
  await expect(page.getByText("Du behöver ha fyllt 16 år för att logga in själv.", { exact: false })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expectAccessible(page);
});
