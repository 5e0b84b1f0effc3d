// A session in the browser: sign in with the login cookie, launch a session from the project page,
// open it through the router's session proxy (no token in any URL), run a notebook cell in
// JupyterLab and read its output. Usage: node session.mjs <router base URL> <screenshot dir>.
import { join } from "node:path";
import { DESKTOP, open, signIn } from "./browser.mjs";

const [base, shots] = process.argv.slice(2);
const { page, report, snap, step, run } = await open(shots);
const PROJECT = "/p/alice/secret-notes";
const CELL = "import sys; print('answer', 6 * 7, sys.prefix != '')";
report.sessionRefusals = [];
page.on("response", (r) => {
  if (r.status() >= 400 && r.url().includes("/sessions/")) {
    report.sessionRefusals.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  }
});

await run(async () => {
  await step("sign-in-with-the-login-cookie", async () => {
    await signIn(page, base, "alice");
    const cookies = await page.context().cookies(base);
    if (!cookies.some((c) => c.httpOnly)) throw new Error("no HttpOnly login cookie after signing in");
  });
  await step("launch-from-the-project-page", async () => {
    await page.goto(`${base}${PROJECT}`);
    await page.getByRole("button", { name: "Launch a session" }).click();
    await page.locator(".session .state.running").waitFor({ timeout: 120_000 });
    await snap("session-launched");
  });
  await step("open-through-the-router-with-the-cookie", async () => {
    const href = await page.getByRole("link", { name: "Open" }).getAttribute("href");
    const url = new URL(href, base);
    report.sessionUrl = url.pathname + url.search;
    if (url.origin !== new URL(base).origin || !url.pathname.startsWith("/sessions/")) {
      throw new Error(`the session is not on the router: ${href}`);
    }
    if (/token/i.test(url.search)) throw new Error(`a token is in the session's URL: ${href}`);
    // JupyterLab is laid out for a desktop screen; the app's pages were checked at 360 px.
    await page.setViewportSize(DESKTOP);
    const response = await page.goto(url.toString());
    if (!response || response.status() >= 400) throw new Error(`the session answered ${response?.status()}`);
    await page.locator("#jp-main-dock-panel").waitFor({ timeout: 90_000 });
    if (new URL(page.url()).origin !== url.origin) throw new Error(`JupyterLab left the router: ${page.url()}`);
    // A fresh workspace shows the launcher, also when the session was opened before.
    await page.goto(new URL("lab?reset", url).toString());
    await page.locator(".jp-LauncherCard").first().waitFor({ timeout: 90_000 });
  });
  await step("a-change-without-the-pages-origin-is-refused", async () => {
    // The context's own HTTP client sends the login cookie but no Origin, as a cross-site
    // form would: the router refuses it before the session's server sees it.
    const answer = await page.context().request.post(`${base}${report.sessionUrl}api/contents`, {
      headers: { "content-type": "text/plain" },
      data: JSON.stringify({ type: "notebook" }),
    });
    report.crossSiteStatus = answer.status();
    if (answer.status() !== 403) throw new Error(`a cookie-only change answered ${answer.status()}`);
  });
  await step("run-a-notebook-cell", async () => {
    await page.locator('.jp-LauncherCard[data-category="Notebook"]').first().click();
    await page.locator(".jp-Notebook .jp-Cell .cm-content").first().waitFor({ timeout: 60_000 });
    const editor = page.locator(".jp-Notebook .jp-Cell .cm-content").first();
    await editor.click();
    await page.keyboard.type(CELL);
    const output = page.locator(".jp-OutputArea-output", { hasText: "answer 42 True" });
    // JupyterLab may replace a new notebook's first kernel while it starts (both are in the
    // server's log); a cell sent to the replaced one never runs, so it is sent again.
    for (let attempt = 1; ; attempt++) {
      await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: 90_000 });
      await editor.click();
      await page.keyboard.press("Shift+Enter");
      try {
        await output.first().waitFor({ timeout: 20_000 });
        report.cellAttempts = attempt;
        break;
      } catch (error) {
        if (attempt === 4) throw error;
      }
    }
    report.cellOutput = (await output.first().textContent()).trim();
    const ws = report.webSockets.filter((u) => u.includes("/sessions/") && u.includes("/api/kernels/"));
    if (!ws.length) throw new Error("the kernel was not reached over a WebSocket through the router");
    await page.screenshot({ path: join(shots, "session-notebook.png") });
  });
});
