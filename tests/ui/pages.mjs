// The pages the scenario does not visit, in Debian's Chromium: project forms with a server
// validation error at its field, member management, search's creator and date filters, the
// dataset, user and group pages; each at 360 px, then again on a desktop screen.
// Usage: node pages.mjs <router base URL> <screenshot dir>; prints one JSON report line.
import { DESKTOP, demoIndexed, graphql, open, signIn } from "./browser.mjs";

const [base, shots] = process.argv.slice(2);
const { page, snap, step, run } = await open(shots);
// A fresh group each run, so the script can run again against the same platform.
const GROUP = `browser-lab-${Date.now().toString(36)}`;
const PROJECT = `/p/${GROUP}/browser-notes`;
const visited = [];

/** Go to a page of the app and wait for its heading; remembered for the desktop pass. */
async function visit(name, path, heading) {
  await page.goto(`${base}${path}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  visited.push({ name, path, heading });
  await snap(name);
}

async function fieldError(id, pattern) {
  const error = page.locator(`#${id}-error`);
  await error.waitFor();
  if (!pattern.test(await error.textContent())) throw new Error(`#${id}-error: ${await error.textContent()}`);
  if ((await page.locator(`#${id}`).getAttribute("aria-invalid")) !== "true") {
    throw new Error(`#${id} is not marked invalid`);
  }
}

const CREATE_GROUP = `mutation ($input: CreateGroupInput!) {
  createGroup(input: $input) { group { slug } errors { message } }
}`;

await run(async () => {
  await step("sign-in-and-make-a-group", async () => {
    await signIn(page, base, "alice");
    const made = await graphql(page, CREATE_GROUP, {
      input: { slug: GROUP, name: "Browser lab", description: "A group made by the **browser** tests." },
    });
    if (made.createGroup.errors.length) throw new Error(JSON.stringify(made.createGroup.errors));
  });
  await step("create-project-with-a-field-error", async () => {
    await visit("project-new", "/projects/new", "Create a project");
    await page.getByLabel("Name", { exact: true }).fill("Browser notes");
    await page.getByLabel("Namespace").selectOption(GROUP);
    await page.getByLabel(/^Slug/).fill("Not A Slug!");
    await page.getByRole("button", { name: "Create project" }).click();
    await fieldError("slug", /not valid/);
    await snap("project-new-error");
    await page.getByLabel(/^Slug/).fill("");
    await page.getByLabel(/^Keywords/).fill("browser, notes");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${base}${PROJECT}`);
    await page.getByRole("heading", { level: 1, name: "Browser notes" }).waitFor();
  });
  await step("edit-project-with-a-field-error", async () => {
    await page.getByRole("link", { name: "Edit project" }).click();
    await page.getByRole("heading", { name: "Edit project" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await fieldError("name", /name/i);
    visited.push({ name: "project-edit", path: `${PROJECT}/edit`, heading: "Edit project" });
    await snap("project-edit-error");
    await page.getByLabel("Name", { exact: true }).fill("Browser notes");
    await page.getByLabel(/^Description/).fill("Notes from **the browser**.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(`${base}${PROJECT}`);
    await page.locator("strong", { hasText: "the browser" }).waitFor();
    await snap("project-edited");
  });
  await step("members-add-change-remove", async () => {
    await visit("members", `${PROJECT}/members`, "Members of Browser notes");
    await page.getByLabel("Username", { exact: true }).fill("nobody-here");
    await page.getByRole("button", { name: "Add member" }).click();
    await page.getByRole("alert").filter({ hasText: "There is no user nobody-here" }).waitFor();
    await page.getByLabel("Username", { exact: true }).fill("bob");
    await page.getByLabel("Role", { exact: true }).selectOption("EDITOR");
    await page.getByRole("button", { name: "Add member" }).click();
    const bobRole = page.getByLabel("Role of bob");
    await bobRole.waitFor();
    if ((await bobRole.inputValue()) !== "EDITOR") throw new Error("bob was not added as an editor");
    await bobRole.selectOption("VIEWER");
    await page.waitForFunction(() => document.querySelector('[aria-label="Role of bob"]')?.value === "VIEWER");
    await page.reload();
    if ((await page.getByLabel("Role of bob").inputValue()) !== "VIEWER") throw new Error("bob's role did not change");
    await snap("members-bob");
    await page.getByRole("button", { name: "Remove bob" }).click();
    await page.getByLabel("Role of bob").waitFor({ state: "detached" });
  });
  await step("search-by-creator-and-dates", async () => {
    await demoIndexed(page);
    await visit("search-filtered", "/search?q=flight", "Search");
    await page.getByLabel(/^Creators/).fill("Alice Liddell");
    await page.getByLabel("Created since").fill("2024-01-01");
    await page.getByLabel("Created until").fill("2024-12-31");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/creator=Alice\+Liddell.*since=2024-01-01.*until=2024-12-31/);
    await page.getByRole("link", { name: "flight-delays" }).waitFor();
    visited.push({ name: "search-filters", path: new URL(page.url()).pathname + new URL(page.url()).search, heading: "Search" });
    await snap("search-filters");
    await page.getByLabel("Created until").fill("2023-12-31");
    await page.getByLabel("Created since").fill("");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("Nothing matches.").waitFor();
    await page.goBack();
    await page.getByRole("link", { name: "flight-delays" }).waitFor();
  });
  await step("dataset-page", async () => {
    await page.getByRole("link", { name: "flight-delays" }).click();
    await page.getByRole("heading", { level: 1, name: "Flight delays 2023" }).waitFor();
    await page.getByText("data/clean.csv").waitFor();
    visited.push({ name: "dataset", path: new URL(page.url()).pathname, heading: "Flight delays 2023" });
    await snap("dataset");
  });
  await step("user-page", async () => {
    await page.getByRole("link", { name: "alice", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: /^Alice/ }).waitFor();
    await page.getByRole("link", { name: /flights/ }).first().waitFor();
    visited.push({ name: "user", path: "/u/alice", heading: /^Alice/ });
    await snap("user");
  });
  await step("group-page", async () => {
    await visit("group", `/g/${GROUP}`, "Browser lab");
    await page.locator("main strong", { hasText: "browser" }).waitFor();
    await page.getByRole("link", { name: /browser-notes|Browser notes/ }).first().waitFor();
  });
  await step("every-page-on-a-desktop-screen", async () => {
    await page.setViewportSize(DESKTOP);
    for (const { name, path, heading } of visited) {
      await page.goto(`${base}${path}`);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await snap(`${name}-desktop`);
    }
  });
});
