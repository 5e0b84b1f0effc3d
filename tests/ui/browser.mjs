// What every browser scenario shares: Debian's Chromium through playwright-core, one page whose
// console errors are collected, screenshots with axe-core's serious findings, and named steps.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const MOBILE = { width: 360, height: 800 };
export const DESKTOP = { width: 1280, height: 900 };

/** A browser with one page at 360 px, and the report its steps fill. */
export async function open(shots) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: MOBILE });
  const page = await context.newPage();
  const report = {
    pages: [], consoleErrors: [], sessionConsoleErrors: [], axe: {}, overflow: {}, steps: [], webSockets: [],
  };
  // The app's own pages must log no error; JupyterLab's, under /sessions/, are counted apart.
  const logError = (text) => {
    const inSession = new URL(page.url()).pathname.startsWith("/sessions/");
    (inSession ? report.sessionConsoleErrors : report.consoleErrors).push(`${page.url()}: ${text}`);
  };
  page.on("console", (m) => {
    if (m.type() === "error") logError(m.text());
  });
  page.on("pageerror", (e) => logError(e.message));
  page.on("websocket", (ws) => report.webSockets.push(ws.url()));

  /** A full-page screenshot, axe's serious findings and any sideways overflow, under `name`. */
  async function snap(name) {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    await page.evaluate(axeSource);
    report.axe[name] = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
    const width = page.viewportSize().width;
    const scrolled = await page.evaluate(() => document.documentElement.scrollWidth);
    report.overflow[name] = scrolled > width ? `${scrolled} px wide at ${width}` : "";
    report.pages.push(name);
  }

  /** Run one named step; a failure is recorded with a screenshot and ends the scenario. */
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

  /** Run the steps, then close the browser and print the report as the last line. */
  async function run(steps) {
    try {
      await steps();
    } catch {
      report.failed = true;
    } finally {
      await browser.close();
      console.log(JSON.stringify(report));
    }
  }

  return { page, report, snap, step, run };
}

/** Sign in through the router's browser login and the development issuer's login page. */
export async function signIn(page, base, username) {
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Sign in to Renku" }).waitFor();
  await page.getByRole("button", { name: username, exact: true }).click();
  await page.getByRole("heading", { name: /Welcome/ }).waitFor();
}

/** One GraphQL operation from the page, with its login cookie; the answer's data. */
export async function graphql(page, query, variables) {
  const answer = await page.evaluate(
    async ([q, v]) => {
      const response = await fetch("/graphql", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-renku-csrf": "1" },
        body: JSON.stringify({ query: q, variables: v }),
      });
      return response.json();
    },
    [query, variables],
  );
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data;
}

/** Wait until the knowledge graph has ingested the demo dataset (it does so after start-up). */
export async function demoIndexed(page, seconds = 120) {
  const query = `{ search(query: "flight-delays", types: [DATASET]) { totalCount } }`;
  for (let waited = 0; waited < seconds; waited++) {
    if ((await graphql(page, query)).search.totalCount > 0) return;
    await page.waitForTimeout(1000);
  }
  throw new Error(`the knowledge graph had not indexed flight-delays after ${seconds} s`);
}
