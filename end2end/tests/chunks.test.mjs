// Pages past the landing page load their code as WASM chunks: a direct
// load fetches the page's chunks with the main module once the page has
// painted (named in its <head>), a client-side visit fetches
// them once, and a chunk that cannot be loaded shows an alert with a retry
// (never a blank page). No test here may see a CSP violation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE_URL,
  FEATURES,
  launch,
  openPage,
  registerAndVerify,
  serverCli,
  uniqueEmail,
  unexpected,
  waitForHydration,
} from "../lib.mjs";

const LOCAL = FEATURES.has("local_auth");
const CHAT = FEATURES.has("chat") && LOCAL;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The chunk files (`/pkg/split_<name>.<hash>.wasm`) the page requested. */
function recordChunks(page) {
  const chunks = [];
  page.on("request", (req) => {
    const m = /\/pkg\/split_([a-z_]+)\.[0-9a-f]+\.wasm$/.exec(new URL(req.url()).pathname);
    if (m) chunks.push(m[1]);
  });
  return chunks;
}

test("the landing, sign-in and sign-up pages hydrate from the main chunk alone", async () => {
  const { context, page, problems } = await openPage(browser);
  const chunks = recordChunks(page);
  for (const path of ["/", "/signin", "/signup"]) {
    await page.goto(BASE_URL + path);
    await waitForHydration(page);
    await page.waitForLoadState("networkidle");
    const head = await page.locator('head link[rel="preload"][href*="/pkg/split_"]').count();
    assert.equal(head, 0, `${path} preloads no page chunk`);
    assert.equal(await page.locator('meta[name="wasm-chunks"]').count(), 0, `${path} names no page chunk`);
  }
  assert.deepEqual(chunks, []);
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("a direct load of a split page fetches its chunks with the main module, once, and hydrates", { skip: !LOCAL }, async () => {
  const { context, page, problems } = await openPage(browser);
  const chunks = recordChunks(page);
  await page.goto(BASE_URL + "/forgot-password");
  // The page names its chunks; once it has painted, the script asks for
  // them with the main module.
  const named = await page.locator('head meta[name="wasm-chunks"]').getAttribute("content");
  assert.match(named, /(^| )split_forgot_password\.[0-9a-f]+( |$)/);
  await page.locator('head link[rel="preload"][href*="/pkg/split_forgot_password."]').waitFor({ state: "attached" });
  const preloads = await page
    .locator('head link[rel="preload"][as="fetch"]')
    .evaluateAll((links) => links.map((l) => l.getAttribute("href")));
  assert.ok(
    preloads.some((href) => /\/pkg\/split_forgot_password\.[0-9a-f]+\.wasm$/.test(href)),
    `the page preloads its chunk: ${preloads.join(", ")}`,
  );
  assert.equal(await page.locator('head link[rel="modulepreload"][href*="__wasm_split."]').count(), 1);
  await waitForHydration(page);
  // Nothing of the WASM is fetched before the page has painted its content.
  const order = await page.evaluate(() => ({
    painted: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
    fetched: performance
      .getEntriesByType("resource")
      .filter((r) => r.name.endsWith(".wasm"))
      .map((r) => r.startTime),
  }));
  assert.ok(order.painted !== undefined && order.fetched.length >= 2, JSON.stringify(order));
  // Each file once: the hints match the requests that use them.
  const files = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((r) => new URL(r.name).pathname)
      .filter((p) => p.startsWith("/pkg/") && /\.(wasm|js)$/.test(p)),
  );
  assert.deepEqual(files.filter((f, i) => files.indexOf(f) !== i), [], `fetched twice: ${files.join(", ")}`);
  assert.ok(
    order.fetched.every((at) => at >= order.painted),
    `the WASM is fetched once the page has painted: ${JSON.stringify(order)}`,
  );
  await page.getByLabel("Email").fill("someone@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByText("If an account exists for that email").waitFor();
  assert.deepEqual(chunks, ["forgot_password"], "fetched once");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("visiting the chat from the landing page loads its chunk once, and it works", { skip: !CHAT }, async () => {
  const { context, page, problems } = await openPage(browser);
  const email = uniqueEmail("chunks");
  serverCli(["invite", "create", "--email", email, "--days", "7"]);
  assert.equal(await registerAndVerify(page, email), "/chat");
  // A new tab with an empty memory: only the landing page's own code.
  await page.close();
  const tab = await context.newPage();
  tab.on("console", (msg) => msg.type() === "error" && problems.push(`console error: ${msg.text()}`));
  tab.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  const chunks = recordChunks(tab);
  await tab.goto(BASE_URL + "/");
  await waitForHydration(tab);
  assert.deepEqual(chunks, []);
  for (let visit = 0; visit < 2; visit++) {
    await tab.getByRole("link", { name: "Chat", exact: true }).first().click();
    await tab.waitForURL("**/chat");
    const box = tab.getByRole("textbox", { name: "Message" });
    await box.fill(`hello from visit ${visit}`);
    await box.press("Enter");
    await tab.getByTestId("message-assistant").last().waitFor();
    await tab.getByRole("link", { name: "Home" }).first().click();
    await tab.waitForURL(BASE_URL + "/");
  }
  assert.deepEqual(chunks, ["chat"], "the chat's chunk is fetched once");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("a chunk that fails to load shows an alert with a retry that works", { skip: !LOCAL }, async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(BASE_URL + "/signin");
  await waitForHydration(page);
  const blocked = "**/pkg/split_forgot_password.*";
  await page.route(blocked, (route) => route.abort("internetdisconnected"));
  await page.getByText("Forgot your password?").click();
  const alert = page.locator("[data-chunk-error]");
  await alert.waitFor();
  assert.equal(await alert.getAttribute("role"), "alert");
  assert.match(await alert.innerText(), /could not be loaded/);
  // Keyboard users land on the button.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Try again");
  // The page the user was on stays (not a blank page).
  assert.equal(await page.getByRole("button", { name: "Sign in" }).count(), 1);
  await page.unroute(blocked);
  await alert.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("heading", { name: "Reset your password" }).waitFor();
  assert.equal(await alert.count(), 0, "the alert is gone");
  await page.getByLabel("Email").fill("someone@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByText("If an account exists for that email").waitFor();
  // The failed fetch is the one expected console error.
  assert.deepEqual(
    unexpected(problems).filter((p) => !/net::ERR_INTERNET_DISCONNECTED|Failed to fetch|split_forgot_password/.test(p)),
    [],
  );
  await context.close();
});
