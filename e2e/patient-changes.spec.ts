// Issue 11, items 8, 9 and 4: moving to another clinic is said plainly; an old page (back button,
// a second tab) after a change shows what happened, never "call the clinic" or the old time; the
// settings page saves each choice at once. Nils's visits are seeded for these stories only.
import type { Page } from "@playwright/test";
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

let movedVisit = "";

/** At 320 CSS px (WCAG 1.4.10) nothing reaches past the edge; the viewport is put back afterwards. */
async function expectNoSidewaysScroll(page: Page) {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 320, height: before.height });
  await expect
    .poll(() =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll<HTMLElement>("main *")]
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 1 && r.height > 1 && (r.right > width + 1 || r.left < -1);
          })
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}/${width}`,
          )
          .slice(0, 5);
      }),
    )
    .toEqual([]);
  await page.setViewportSize(before);
}

test.describe("changes and old pages", () => {
  test("rebook to a sister clinic: own clinic's times first, the new address on confirm and receipt; an old tab and 'back' show what happened", async ({
    page,
    context,
  }) => {
    await loginWithBankId(page, "nils");
    await page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem").first().getByRole("link").click();
    await expect(page).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
    await expect(page.locator("dd").filter({ hasText: "Vårdcentralen Centrum" })).toBeVisible();
    movedVisit = page.url().split("/").at(-1)!;
    await page.getByRole("link", { name: "Omboka" }).click();
    await page.getByRole("button", { name: "Nästa vecka" }).click();
    const own = page.getByRole("region", { name: "Din mottagning: Vårdcentralen Centrum" });
    const sister = page.getByRole("region", { name: "Annan mottagning: Vårdcentralen Gottsunda" });
    await expect(sister.getByRole("button").first()).toBeVisible();
    expect(await page.locator(".clinic-slots > h3").allTextContents()).toEqual([
      "Din mottagning: Vårdcentralen Centrum",
      "Annan mottagning: Vårdcentralen Gottsunda",
    ]);
    await expect(own.getByText("Kungsgatan 41, 753 21 Uppsala")).toBeVisible();
    await expectAccessible(page);
    await expectNoSidewaysScroll(page);

    // A second tab, on the same page, about to move the visit to one of the own clinic's times.
    const second = await context.newPage();
    await second.goto(page.url());
    await second.getByRole("button", { name: "Nästa vecka" }).click();
    await second
      .getByRole("region", { name: /^Din mottagning/ })
      .getByRole("button")
      .first()
      .click();
    await expect(second.getByRole("heading", { name: "Flytta besöket?" })).toBeVisible();

    await sister.getByRole("button").first().click();
    await expect(page.getByRole("heading", { name: "Du byter mottagning" })).toBeVisible();
    await expect(
      page.getByText(
        /Den nya tiden är hos Vårdcentralen Gottsunda, Gottsunda Centrum 12, 756 51 Uppsala – inte hos Vårdcentralen Centrum\./,
      ),
    ).toBeVisible();
    await expectAccessible(page);
    await expectNoSidewaysScroll(page);
    await page.getByRole("button", { name: "Ja, flytta besöket" }).click();
    await expect(
      page
        .getByRole("status")
        .getByText("Observera: besöket är nu hos Vårdcentralen Gottsunda, Gottsunda Centrum 12, 756 51 Uppsala."),
    ).toBeVisible();
    const newTime = (await page.locator("dd time").textContent())!;
    await expectAccessible(page);

    // The old tab cannot move it again: it is told where the visit is now.
    await second.getByRole("button", { name: "Ja, flytta besöket" }).click();
    await expect(
      second.getByRole("status").filter({ hasText: `Tiden är redan flyttad till ${newTime}.` }),
    ).toBeVisible();
    await expect(second.locator("dd time")).toHaveText(newTime);
    await expect(second.getByText("Gottsunda Centrum 12, 756 51 Uppsala")).toBeVisible();
    await second.close();

    // Back to the rebook page: the time it now has, and that it was just moved.
    await page.goBack();
    await expect(page.getByRole("status").filter({ hasText: `Tiden är flyttad till ${newTime}.` })).toBeVisible();
    await expect(page.getByText(`Din nuvarande tid: ${newTime}`)).toBeVisible();
    await expect(page.getByText(/Det går inte att ändra/)).toHaveCount(0);
  });

  test("cancel in one tab: the other tab and 'back' say the visit is already cancelled", async ({ page, context }) => {
    await loginWithBankId(page, "nils");
    const upcoming = page.getByRole("region", { name: "Kommande besök" });
    await expect(upcoming.getByRole("link").first()).toBeVisible(); // the visits arrive after the shell
    const hrefs = await upcoming.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
    const other = hrefs.find((h) => !h.endsWith(movedVisit))!;
    await page.goto(`${other}/avboka`);
    const second = await context.newPage();
    await second.goto(`${other}/avboka`);

    await page.getByRole("button", { name: "Ja, avboka besöket" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Besöket är avbokat." })).toBeVisible();

    await second.getByRole("button", { name: "Ja, avboka besöket" }).click();
    await expect(second.getByRole("status").filter({ hasText: "Besöket är redan avbokat." })).toBeVisible();
    await expect(second.getByText("Avbokad", { exact: true })).toBeVisible();
    await second.close();

    await page.goBack();
    await expect(page.getByRole("heading", { level: 1, name: "Besöket är redan avbokat." })).toBeVisible();
    await expect(page.getByText(/Det går inte att ändra|Ring 018/)).toHaveCount(0);
    await expectAccessible(page);
    await page.getByRole("link", { name: "Visa besöket" }).click();
    await expect(page).toHaveURL(new RegExp(`${other}$`));
  });

  test("settings: each choice is saved at once and said so; leaving the page loses nothing", async ({ page }) => {
    await loginWithBankId(page, "nils");
    await page.goto("/installningar");
    await expect(page.getByRole("button", { name: /^Spara/ })).toHaveCount(0);
    const times = page.getByRole("form", { name: "När vill du bli påmind?" });
    await expect(page.getByLabel("3 dagar före")).not.toBeChecked();
    await page.getByLabel("3 dagar före").check();
    await expect(times.getByRole("status")).toHaveText("Dina ändringar är sparade.");
    // Another section right after: the first choice stays saved.
    await page.getByRole("radio", { name: "English" }).check();
    await expect(page.getByRole("form", { name: "Språk i sms" }).getByRole("status")).toHaveText(
      "Dina ändringar är sparade.",
    );
    await expectAccessible(page);
    await page.goto("/besok");
    await page.goto("/installningar");
    await expect(page.getByLabel("3 dagar före")).toBeChecked();
    await expect(page.getByRole("radio", { name: "English" })).toBeChecked();
  });
});
