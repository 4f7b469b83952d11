// The app shell in a real browser: render, hydration under the CSP, theme,
// language, 404 and a 360 px wide screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, LOCALES, duplicateIds, launch, openPage, waitForHydration } from "../lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the landing page renders and hydrates with no CSP violation or console error", async () => {
  const { context, page, problems } = await openPage(browser);
  const response = await page.goto(BASE_URL + "/");
  assert.equal(response.status(), 200);
  const csp = response.headers()["content-security-policy"];
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce, `no nonce in CSP: ${csp}`);
  const scriptNonces = await page.$$eval("script", (ss) => ss.map((s) => s.nonce));
  assert.ok(scriptNonces.length > 0);
  for (const n of scriptNonces) assert.equal(n, nonce, "every script carries this response's nonce");

  await assert.doesNotReject(page.getByRole("heading", { level: 1 }).waitFor());
  await waitForHydration(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the theme toggle round-trips through a server function and survives a reload", async () => {
  const { context, page, problems } = await openPage(browser, { colorScheme: "light" });
  await page.goto(BASE_URL + "/");
  await waitForHydration(page);
  const toggle = page.getByTestId("theme-toggle");
  assert.equal(await toggle.getAttribute("data-theme-choice"), "system");
  assert.equal(await page.locator("html").getAttribute("data-theme"), null);

  const saved = page.waitForResponse((r) => r.url().includes("/api/prefs/theme") && r.status() === 200);
  await toggle.click();
  await saved;
  assert.equal(await page.locator("html").getAttribute("data-theme"), "dark");
  const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await page.reload();
  assert.equal(await page.locator("html").getAttribute("data-theme"), "dark", "server rendered the saved theme");
  await waitForHydration(page);
  assert.equal(await page.getByTestId("theme-toggle").getAttribute("data-theme-choice"), "dark");
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), darkBg);

  // Back to light: the page must actually change colour.
  const savedLight = page.waitForResponse((r) => r.url().includes("/api/prefs/theme") && r.status() === 200);
  await page.getByTestId("theme-toggle").click();
  await savedLight;
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(lightBg, darkBg);
  assert.deepEqual(problems, []);
  await context.close();
});

test("dark mode follows the system when no theme was chosen", async () => {
  const { context, page } = await openPage(browser, { colorScheme: "dark" });
  await page.goto(BASE_URL + "/");
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await context.close();
  const light = await openPage(browser, { colorScheme: "light" });
  await light.page.goto(BASE_URL + "/");
  assert.notEqual(await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor), dark);
  await light.context.close();
});

// The languages this template ships; a product may keep fewer (English
// always: its files define the keys).
const NATIVE = { en: "English", ru: "Русский", uk: "Українська" };
const HERO = { en: /AI assistant/, ru: /ИИ-ассистент/, uk: /ШІ-помічник/ };
const OTHERS = LOCALES.filter((l) => l !== "en");

test("the language follows Accept-Language, and the switcher changes and keeps it", { skip: OTHERS.length === 0 && "English only" }, async () => {
  const [first, last] = [OTHERS[0], OTHERS.at(-1)];
  const { context, page, problems } = await openPage(browser, { locale: first });
  await page.goto(BASE_URL + "/");
  assert.equal(await page.locator("html").getAttribute("lang"), first);
  if (HERO[first]) assert.match(await page.locator("h1").innerText(), HERO[first]);
  await waitForHydration(page);

  await Promise.all([page.waitForEvent("load"), page.getByTestId("locale-switcher").selectOption("en")]);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  assert.match(await page.locator("h1").innerText(), HERO.en);
  await waitForHydration(page);
  await page.reload();
  assert.equal(await page.locator("html").getAttribute("lang"), "en", "the cookie beats Accept-Language");

  // Every language, each named in itself.
  await waitForHydration(page);
  const options = await page.getByTestId("locale-switcher").locator("option").allInnerTexts();
  assert.deepEqual(options, LOCALES.map((l, i) => NATIVE[l] ?? options[i]));
  await Promise.all([page.waitForEvent("load"), page.getByTestId("locale-switcher").selectOption(last)]);
  assert.equal(await page.locator("html").getAttribute("lang"), last);
  if (HERO[last]) assert.match(await page.locator("h1").innerText(), HERO[last]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Ukrainian is chosen from Accept-Language", { skip: !LOCALES.includes("uk") && "no Ukrainian" }, async () => {
  const { context, page } = await openPage(browser, { locale: "uk-UA" });
  await page.goto(BASE_URL + "/signin");
  assert.equal(await page.locator("html").getAttribute("lang"), "uk");
  const text = await page.locator("main").innerText();
  assert.match(text, /Вхід/);
  assert.doesNotMatch(text, /Sign in|Войти/);
  await context.close();
});

test("a page hydrates with its language's texts, fetched once beside the WASM", { skip: OTHERS.length === 0 && "English only" }, async () => {
  const locale = OTHERS.at(-1);
  const { context, page, problems } = await openPage(browser, { locale });
  const texts = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/i18n/")) texts.push(path);
  });
  await page.goto(BASE_URL + "/");
  await waitForHydration(page);
  assert.equal(texts.length, 1, `texts fetched: ${texts}`);
  assert.match(texts[0], new RegExp(`^/i18n/${locale}\\.[0-9a-f]{16}\\.json$`));

  // A page the browser renders itself (a client-side navigation) reads the
  // loaded texts: it matches the server's rendering of the same page.
  await page.evaluate(() => (window.__stayed = true));
  const landing = await page.locator("main h1").innerText();
  await page.getByTestId("sign-in-link").click();
  await page.waitForURL(/\/signin$/);
  await page.waitForFunction((before) => document.querySelector("main h1")?.innerText !== before, landing);
  const heading = await page.locator("main h1").innerText();
  assert.equal(await page.evaluate(() => window.__stayed), true, "navigated without a reload");
  await page.reload();
  assert.equal(heading, await page.locator("main h1").innerText());
  assert.ok(heading.trim().length > 0);
  await waitForHydration(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a page whose texts do not load stays as the server rendered it", async () => {
  // Not `openPage`: its accessibility check at the end waits for hydration.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route("**/i18n/**", (route) => route.abort());
  const failed = page.waitForEvent("console", (msg) => /could not hydrate/.test(msg.text()));
  await page.goto(BASE_URL + "/");
  await failed;
  await page.locator("h1").waitFor();
  assert.ok(await page.getByTestId("theme-toggle").isDisabled(), "not hydrated");
  await context.close();
});

test("an unknown path shows the 404 page with status 404", async () => {
  const { context, page } = await openPage(browser);
  const response = await page.goto(BASE_URL + "/no-such-page");
  assert.equal(response.status(), 404);
  assert.ok(response.headers()["content-security-policy"]);
  await page.getByText("Page not found").waitFor();
  await context.close();
});

test("the page fits a 360 px wide phone without sideways scrolling", async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 360, height: 740 } });
  await page.goto(BASE_URL + "/");
  await waitForHydration(page);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width}px wide`);
  await context.close();
});

test("on a phone the header's links fold into a menu that Escape closes", async () => {
  const { context, page, problems } = await openPage(browser, { viewport: { width: 360, height: 740 } });
  await page.goto(BASE_URL + "/");
  await waitForHydration(page);
  const signIn = page.getByTestId("sign-in-link");
  assert.equal(await signIn.isVisible(), false, "folded away");
  const menu = page.getByTestId("menu-button");
  const header = await page.locator("header").boundingBox();
  assert.ok(header.height <= 64, `one row: ${header.height}px`);
  await menu.click();
  await signIn.waitFor();
  assert.equal(await menu.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Escape");
  await signIn.waitFor({ state: "hidden" });
  await menu.click();
  await signIn.click();
  await page.waitForURL("**/signin");
  await signIn.waitFor({ state: "hidden" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the skip link moves focus to the main content", async () => {
  const { context, page, problems } = await openPage(browser);
  for (const path of ["/", "/signin"]) {
    await page.goto(BASE_URL + path);
    await waitForHydration(page);
    assert.deepEqual(await duplicateIds(page), [], `${path}: ids are unique`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("href")), "#main", `${path}: Tab reaches the skip link first`);
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main", `${path}: Enter focuses the main content`);
    // The next Tab continues inside the main content, not in the header.
    await page.keyboard.press("Tab");
    assert.ok(
      await page.evaluate(() => document.getElementById("main").contains(document.activeElement)),
      `${path}: the next Tab stays in the main content`,
    );
  }
  assert.deepEqual(problems, []);
  await context.close();
});
