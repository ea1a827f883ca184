// What a patient needs to know before a visit (issue 11, item 10): near visits say "Idag"/"Imorgon",
// later ones weekday, date and year with lowercase Swedish names; the visit page has the clinic's
// own texts where the clinic set them (and nothing where it did not), in English for English
// readers; every page has a footer with privacy information and the accessibility statement.
// Maja's visits only read here (her blood test tomorrow is seeded for this story).
import type { Locator } from "@playwright/test";
import { localeCookie } from "../i18n/locales";
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

/** Days from today to `iso` on the Stockholm calendar, worked out here independently of the app. */
function daysAway(iso: string): number {
  const day = (d: Date) => {
    const [y, m, dd] = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Stockholm" })
      .format(d)
      .split("-")
      .map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, dd) / 86_400_000;
  };
  return day(new Date(iso)) - day(new Date());
}

const word = "[a-zåäö]+";
async function expectVisitLabel(time: Locator): Promise<number> {
  const days = daysAway((await time.getAttribute("datetime"))!);
  const label =
    days === 0
      ? new RegExp(`^Idag, ${word} \\d{1,2} ${word} kl\\. \\d\\d:\\d\\d$`)
      : days === 1
        ? new RegExp(`^Imorgon, ${word} \\d{1,2} ${word} kl\\. \\d\\d:\\d\\d$`)
        : new RegExp(`^[A-ZÅÄÖ]${word} \\d{1,2} ${word} 20\\d\\d kl\\. \\d\\d:\\d\\d$`);
  await expect(time).toHaveText(label);
  return days;
}

test.describe("what a patient needs to know", () => {
  test("near visits say so, the visit page has the clinic's texts, every page links privacy and accessibility", async ({
    page,
    context,
    baseURL,
  }) => {
    await loginWithBankId(page, "maja");
    const upcoming = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem");
    await expect(upcoming.first()).toBeVisible();
    const days: number[] = [];
    for (const item of await upcoming.all()) days.push(await expectVisitLabel(item.locator("time")));
    expect(days.filter((d) => d <= 1).length, "a visit today or tomorrow").toBeGreaterThan(0);
    expect(days.filter((d) => d > 1).length, "a visit later").toBeGreaterThan(0);

    // The clinic that set every text: check-in, ID, late arrival, missed-visit fee.
    await upcoming.filter({ hasText: "Provtagning" }).getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1, name: "Provtagning" })).toBeVisible();
    const before = page.getByRole("region", { name: "Inför besöket" });
    await expect(before).toContainText("Så anmäler du dig");
    await expect(before.getByText(/^Anmäl dig i kassan/)).toBeVisible();
    await expect(before.getByText(/^Ta med giltig legitimation/)).toBeVisible();
    await expect(before.getByText(/^Kommer du mer än 10 minuter för sent/)).toBeVisible();
    await expect(before.getByText(/avgift på 400 kronor/)).toBeVisible();
    await expect(before.locator("[lang]")).toHaveCount(0);
    await expectVisitLabel(page.locator(".facts time"));
    const footer = page.getByRole("contentinfo");
    await expect(footer.getByRole("link", { name: "Så hanterar vi dina uppgifter" })).toHaveAttribute(
      "href",
      "/integritet",
    );
    await expectAccessible(page);
    const visitUrl = page.url();

    // In English, the clinic's English texts, not marked; in Arabic, the Swedish ones, marked lang="sv".
    await context.addCookies([{ name: localeCookie, value: "en", url: baseURL! }]);
    await page.reload();
    const beforeEn = page.getByRole("region", { name: "Before your visit" });
    await expect(beforeEn.getByText(/^Check in at the reception desk/)).toBeVisible();
    await expect(beforeEn.getByText(/^If you miss your visit without cancelling/)).toBeVisible();
    await expect(page.getByText(/^Two minutes' walk from Uppsala Central Station/)).not.toHaveAttribute("lang", /./);
    await context.addCookies([{ name: localeCookie, value: "ar", url: baseURL! }]);
    await page.reload();
    await expect(page.getByText(/^Anmäl dig i kassan/)).toHaveAttribute("lang", "sv");
    await expect(page.getByText(/^Två minuters promenad/)).toHaveAttribute("lang", "sv");
    await context.addCookies([{ name: localeCookie, value: "sv", url: baseURL! }]);

    // A clinic that set none of them: no section at all.
    await page.goto("/besok");
    await upcoming.filter({ hasText: "Vårdcentralen Gottsunda" }).first().getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(page.url()).not.toBe(visitUrl);
    await expect(page.getByRole("heading", { name: "Inför besöket" })).toHaveCount(0);

    // Rebook: the week says its dates, days are "Onsdag 2 december", never "Onsdag 2 December".
    // Back the way a patient goes (a page.goto here came back net::ERR_ABORTED once in CI, while
    // the visit page was still prefetching its links).
    await page.getByRole("link", { name: "Tillbaka till mina tider" }).click();
    await expect(upcoming.first()).toBeVisible();
    await upcoming.filter({ hasText: "Läkarbesök" }).first().getByRole("link").click();
    await page.getByRole("link", { name: "Omboka" }).click();
    await expect(page.locator(".week-nav strong")).toHaveText(
      new RegExp(`^Vecka \\d{1,2}, \\d{1,2}( ${word})?( 20\\d\\d)?–\\d{1,2} ${word}( 20\\d\\d)?$`),
    );
    await page.getByRole("button", { name: "Nästa vecka" }).click();
    // The day headings sit under each clinic's heading (times grouped by clinic).
    const day = page.locator(".day").getByRole("heading").first();
    await expect(day).toHaveText(new RegExp(`^[A-ZÅÄÖ]${word} \\d{1,2} ${word}$`));

    // The accessibility statement, from the footer, public and in the patient's language.
    await footer.getByRole("link", { name: "Tillgänglighetsredogörelse" }).click();
    await expect(page).toHaveURL(/\/tillganglighet$/);
    await expect(page.getByRole("heading", { level: 1, name: "Tillgänglighet för Vårdtid" })).toBeVisible();
    await expect(page.getByText(/lagen \(2018:1937\) om tillgänglighet till digital offentlig service/)).toBeVisible();
    await expect(page.getByText(/^Vårdtid är delvis förenlig med lagen/)).toBeVisible();
    for (const heading of ["Innehåll som inte är tillgängligt", "Rapportera brister i webbplatsens tillgänglighet"])
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Tillsyn" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Anmäl bristande tillgänglighet till Digg" })).toHaveAttribute(
      "href",
      "https://www.digg.se/tdosanmalan",
    );
    await expect(page.getByText(/senast 1 december 2026\.$/)).toBeVisible();
    await expect(page).toHaveTitle(/^Tillgänglighet för Vårdtid/);
    await expectAccessible(page);

    await context.clearCookies();
    await context.addCookies([{ name: localeCookie, value: "en", url: baseURL! }]);
    const statement = await page.goto("/tillganglighet");
    expect(statement?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Accessibility statement for Vårdtid" })).toBeVisible();
    await page.getByRole("contentinfo").getByRole("link", { name: "How we handle your data" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "How we handle your data" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "What Vårdtid stores" })).toBeVisible();
    await expect(page).toHaveTitle(/^How we handle your data/);
    await expectAccessible(page);
  });
});
