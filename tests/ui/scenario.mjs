// The browser scenario in Debian's Chromium, driven by playwright-core.
// Usage: node scenario.mjs <router base URL> <screenshot dir>; prints one JSON report line.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [base, shots] = process.argv.slice(2);
const report = { pages: [], consoleErrors: [], sessionConsoleErrors: [], axe: {}, steps: [] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
const page = await context.newPage();
// The app's own pages must log no error; JupyterLab's, under /sessions/, are counted apart.
const logError = (text) => {
  const inSession = new URL(page.url()).pathname.startsWith("/sessions/");
  (inSession ? report.sessionConsoleErrors : report.consoleErrors).push(`${page.url()}: ${text}`);
};
page.on("console", (m) => {
  if (m.type() === "error") logError(m.text());
});
page.on("pageerror", (e) => logError(e.message));

async function snap(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  report.axe[name] = result;
  report.pages.push(name);
}

async function step(name, run) {
  try {
    await run();
    report.steps.push({ name, ok: true });
  } catch (error) {
    report.steps.push({ name, ok: false, error: String(error).slice(0, 500) });
    await page.screenshot({ path: join(shots, `failed-${name}.png`), fullPage: true }).catch(() => {});
    throw error;
  }
}

try {
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
} catch {
  report.failed = true;
} finally {
  await browser.close();
  console.log(JSON.stringify(report));
}
