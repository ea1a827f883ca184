import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

let elsasCancelledId = "";

test.describe("my appointments", () => {
  test("log in, see appointments, cancel one with a reason, see it cancelled", async ({ page }, testInfo) => {
    await loginWithBankId(page, "elsa");
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("besok.png"), fullPage: true });
    const upcoming = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem");
    await expect(upcoming).toHaveCount(2);
    await upcoming.first().getByRole("link").click();
    await expect(page).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
    elsasCancelledId = page.url().split("/").at(-1)!;
    await expect(page.getByRole("link", { name: /Ring 018-611 00 01/ })).toHaveAttribute("href", "tel:+46186110001");
    await expectAccessible(page);
    await page.getByRole("link", { name: "Avboka" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Avboka besöket" })).toBeVisible();
    await page.getByLabel("Jag har ingen transport").check();
    await expect(page.getByRole("heading", { name: "Du kan ha rätt till sjukresa" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Ja, avboka besöket" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Besöket är avbokat." })).toBeVisible();
    await expect(page.getByText(/^Avbokad \d+ \w+ kl\. \d\d:\d\d$/)).toBeVisible();
    await expect(page.getByRole("link", { name: "Avboka" })).toHaveCount(0);
    await page.getByRole("link", { name: /Tillbaka till mina tider/ }).click();
    await expect(
      page.getByRole("region", { name: "Kommande besök" }).getByText("Avbokad", { exact: true }),
    ).toBeVisible();
  });

  test("rebook another appointment and see the new time", async ({ page }) => {
    await loginWithBankId(page, "elsa");
    const card = page
      .getByRole("region", { name: "Kommande besök" })
      .getByRole("listitem")
      .filter({ has: page.getByText("Bokad", { exact: true }) })
      .first();
    const oldTime = await card.locator("time").textContent();
    await card.getByRole("link").click();
    await page.getByRole("link", { name: "Omboka" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Välj en ny tid" })).toBeVisible();
    await page.getByLabel("Förmiddag").check();
    const firstSlot = page.getByRole("button", { name: /^Boka / }).first();
    await expect(firstSlot).toBeVisible();
    await expectAccessible(page);
    await firstSlot.click();
    await expect(page.getByRole("heading", { name: "Flytta besöket?" })).toBeVisible();
    await page.getByRole("button", { name: "Ja, flytta besöket" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Klart! Ditt besök är flyttat till/ })).toBeVisible();
    const newTime = await page.locator("dd time").textContent();
    expect(newTime).not.toBe(oldTime);
    await expect(page.getByText(/^Ombokad .* från /)).toBeVisible();
  });

  test("inside the cutoff the patient gets the clinic's phone number instead of a cancel button", async ({ page }) => {
    await loginWithBankId(page, "tolvan");
    await page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem").first().getByRole("link").click();
    await expect(page.getByRole("heading", { name: "Det går inte att ändra tiden här" })).toBeVisible();
    await expect(page.getByText(/Det är mindre än 24 timmar kvar till besöket/)).toBeVisible();
    await expect(page.getByRole("link", { name: "Avboka" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: /^Ring / })).toHaveAttribute("href", /^tel:\+46/);
  });

  test("another patient's appointment id is simply not found", async ({ page }) => {
    expect(elsasCancelledId).toMatch(/^[0-9a-f-]{36}$/);
    await loginWithBankId(page, "karl");
    const foreign = await page.goto(`/besok/${elsasCancelledId}`);
    await expect(page.getByRole("heading", { name: "Sidan finns inte" })).toBeVisible();
    const foreignMain = await page.locator("main").innerHTML();
    // Exactly the same answer as for an id that does not exist, so ids cannot be probed.
    const madeUp = await page.goto("/besok/00000000-0000-4000-8000-000000000000");
    await expect(page.getByRole("heading", { name: "Sidan finns inte" })).toBeVisible();
    expect(madeUp?.status()).toBe(foreign?.status());
    expect(await page.locator("main").innerHTML()).toBe(foreignMain);
    await expect(page.getByText("Läkarbesök")).toHaveCount(0);
    const ics = await page.request.get(`/besok/${elsasCancelledId}/kalender`);
    expect(ics.status()).toBe(404);
  });

  test("the calendar file is privacy-safe and keeps its UID", async ({ page }) => {
    await loginWithBankId(page, "tolvan");
    const link = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem").nth(1).getByRole("link");
    const href = await link.getAttribute("href");
    const res = await page.request.get(`${href}/kalender`);
    expect(res.headers()["content-type"]).toContain("text/calendar");
    const body = await res.text();
    expect(body).toContain(`UID:${href!.split("/").at(-1)}@vardtid`);
    expect(body).toContain("TZID=Europe/Stockholm");
    expect(body).not.toMatch(/Tolvan|191212|Provtagning/);
  });

  test("the personal calendar feed is opt-in, privacy-safe and revocable", async ({ page }) => {
    await loginWithBankId(page, "tolvan");
    await page.goto("/installningar/kalender");
    await expect(page.getByText("Kalenderprenumerationen är avstängd.")).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Slå på kalenderprenumeration" }).click();
    const link = await page.getByLabel("Din privata kalenderlänk").inputValue();
    expect(link).toMatch(/^webcal:\/\/[^/]+\/kalender\/[A-Za-z0-9_-]{43}$/);
    const feedPath = new URL(link.replace("webcal://", "http://")).pathname;
    const feed = await page.request.get(feedPath);
    const body = await feed.text();
    expect(body).toContain("BEGIN:VCALENDAR");
    expect(body).toContain("Mottagningen Ågatan");
    expect(body).not.toMatch(/Psykiatri|psykolog|Tolvan|191212/);
    await page.getByRole("button", { name: "Stäng av kalenderprenumeration" }).click();
    await expect(page.getByText("Kalenderprenumerationen är avstängd.")).toBeVisible();
    expect((await page.request.get(feedPath)).status()).toBe(404);
  });
});
