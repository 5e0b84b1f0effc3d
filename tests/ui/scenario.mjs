// The browser scenario in Debian's Chromium, driven by playwright-core.
// Usage: node scenario.mjs <router base URL> <screenshot dir>; prints one JSON report line.
import { join } from "node:path";
import { demoIndexed, open } from "./browser.mjs";

const [base, shots] = process.argv.slice(2);
const { page, report, snap, step, run } = await open(shots);

await run(async () => {
  await step("anonymous-cannot-reach-secret-notes", async () => {
    await page.goto(`${base}/p/alice/secret-notes`);
    await page.getByRole("heading", { name: "Project not found" }).waitFor();
    await snap("anonymous-secret-notes");
  });
  await step("sign-in-as-alice", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Sign in to Renku" }).waitFor();
    await snap("login-page");
    await page.getByRole("button", { name: "alice", exact: true }).click();
    await page.getByRole("heading", { name: /Welcome/ }).waitFor();
    await snap("dashboard");
  });
  await step("search-flight-delays", async () => {
    await demoIndexed(page);
    await page.getByRole("link", { name: "Search" }).click();
    await page.getByLabel(/Search projects/).fill("flight");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("link", { name: "flight-delays" }).first().waitFor();
    await snap("search");
  });
  await step("open-alice-flights-with-lineage", async () => {
    await page.goto(`${base}/p/alice/flights`);
    await page.getByTestId("lineage").waitFor();
    await snap("project");
  });
  await step("launch-a-session-and-see-it-running", async () => {
    await page.getByRole("button", { name: "Launch a session" }).click();
    await page.locator(".session .state.running").waitFor({ timeout: 120_000 });
    await snap("session-running");
  });
  await step("open-the-session", async () => {
    const href = await page.getByRole("link", { name: "Open" }).getAttribute("href");
    const response = await page.goto(new URL(href, base).toString());
    report.sessionStatus = response ? response.status() : null;
    if (!response || response.status() >= 400) throw new Error(`session answered ${report.sessionStatus}`);
    await page.waitForTimeout(3000);
    await page.screenshot({ path: join(shots, "session.png") });
  });
  await step("sign-out", async () => {
    await page.goto(`${base}/p/alice/flights`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    await snap("signed-out");
  });
});
