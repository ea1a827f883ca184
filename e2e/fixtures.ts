// Shared e2e fixtures: every test fails if the page asked any origin but our own, and `expectAccessible`
// runs axe with the WCAG 2.1 A/AA rules.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";

export const test = base.extend<{ foreignRequests: string[] }>({
  foreignRequests: [
    async ({ page, baseURL }, use) => {
      const own = new URL(baseURL!).origin;
      const foreign: string[] = [];
      page.on("request", (request) => {
        const url = request.url();
        if (url.startsWith("data:") || url.startsWith("blob:")) return;
        // A top-level navigation the tester chose (e.g. to the BankID test app in demo mode) is not a leak.
        if (request.isNavigationRequest() && request.frame() === page.mainFrame() && new URL(url).origin !== own)
          return;
        if (new URL(url).origin !== own) foreign.push(url);
      });
      await use(foreign);
      expect(foreign, "requests to other origins").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export async function expectAccessible(page: Page): Promise<void> {
  // Next.js streams a dynamic page's <title> after its first bytes: right after a navigation axe
  // could run before it arrived (a flaky "document-title"). Wait for it; a page without one still
  // fails here.
  await expect(page, "the page has a title").toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, "axe WCAG 2.1 A/AA violations").toEqual([]);
}
