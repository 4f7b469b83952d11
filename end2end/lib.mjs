// Shared helpers for the browser tests: run by `cargo xtask test`, which
// starts a built server and sets BASE_URL, XTASK_FEATURES, XTASK_BUILD and
// CHROMIUM_PATH. playwright-core drives Debian's Chromium; no browser is
// ever downloaded.
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

export const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:3000";
export const FEATURES = new Set((process.env.XTASK_FEATURES ?? "").split(",").filter(Boolean));
export const BUILD = process.env.XTASK_BUILD ?? "debug";
/** The product's languages (`domain/wire/locales/`), English first. */
export const LOCALES = (process.env.XTASK_LOCALES ?? "en,ru,uk").split(",");
/** The WASM, JS and CSS files' name (`LEPTOS_OUTPUT_NAME`, set by xtask). */
export const OUTPUT_NAME = process.env.XTASK_OUTPUT_NAME;
/** The hashed asset `/pkg/<name>.<hash>.<ext>` a page links, or undefined. */
export function linkedAsset(html, ext) {
  if (!OUTPUT_NAME) throw new Error("XTASK_OUTPUT_NAME is not set (cargo xtask test and e2e set it)");
  const name = OUTPUT_NAME.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A link's `href`, or the hydration script's string.
  return new RegExp(`"(/pkg/${name}\\.[0-9a-f]+\\.${ext})"`).exec(html)?.[1];
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: FLAGS,
  });
}

/** Console errors other than the browser's report of a 4xx answer (which
 * tests of refused input expect). */
export function unexpected(problems) {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

/** A fresh context and page that record every console error, page error and
 * CSP violation. Closing the context checks the page it ends on with axe-core
 * (see `checkAccessibility`). */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const close = context.close.bind(context);
  context.close = async (...args) => {
    try {
      await checkAccessibility(page);
    } finally {
      await close(...args);
    }
  };
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || /Content Security Policy/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

// --- Accessibility -------------------------------------------------------------

/** axe-core runs in the release build's browser tests (or with XTASK_AXE=1):
 * the markup is the same in every build, and each check costs a second. */
const AXE = process.env.XTASK_AXE === "1" || (process.env.XTASK_AXE !== "0" && BUILD === "release");
/** Paths already checked by this test file. */
const axeChecked = new Set();

/** Checks the page a test ends on with axe-core, in both themes and at 360
 * and 1280 px: any serious or critical violation fails the test. Each path
 * is checked once per test file, in the state the first test leaves it. */
export async function checkAccessibility(page) {
  if (!AXE || page.isClosed()) return;
  if (new URL(page.url()).origin !== new URL(BASE_URL).origin) return;
  // A test may end as a navigation starts: check the page it arrives at.
  await page.waitForLoadState("load");
  await waitForHydration(page);
  const url = new URL(page.url());
  const key = url.origin + url.pathname;
  if (axeChecked.has(key)) return;
  axeChecked.add(key);
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const found = [];
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: size.height });
      // Transitions (colours, the drawer) settle before axe reads contrast.
      await page.waitForTimeout(250);
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
        found.push(`${v.id} (${v.impact}, ${colorScheme}, ${width} px): ${v.help}; ${where}`);
      }
    }
  }
  if (found.length) {
    throw new Error(`axe-core on ${url.pathname}:\n  ${[...new Set(found)].join("\n  ")}`);
  }
}

/** Ids that more than one element of the page carries (a label then
 * focuses the wrong input, and `aria-describedby` points at the wrong text). */
export async function duplicateIds(page) {
  return page.$$eval("[id]", (els) => {
    const seen = new Map();
    for (const el of els) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
}

/** Waits until the WASM has hydrated: controls that need it become enabled. */
export async function waitForHydration(page) {
  await page.waitForSelector('[data-testid="theme-toggle"]:not([disabled])', { timeout: 30_000 });
}

// --- Accounts -----------------------------------------------------------------

import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";

export const MAILDEV_API = process.env.MAILDEV_API ?? "http://127.0.0.1:1080";
export const ADMIN_EMAIL = process.env.XTASK_ADMIN_EMAIL ?? "admin@app.test";
export const PASSWORD = "correct horse battery staple";

/** An address no other test uses (the mail server is shared). */
export function uniqueEmail(name) {
  return `${name}.${randomUUID().slice(0, 12)}@example.com`;
}

/** The newest message to `to` that `matches`, waiting up to 15 s for it to arrive. */
export async function mailTo(to, matches = () => true) {
  for (let i = 0; i < 150; i++) {
    const all = await (await fetch(`${MAILDEV_API}/api/email`)).json();
    const found = all
      .filter((m) => [...(m.to ?? []), ...(m.envelope?.to ?? [])].some((r) => r.address?.toLowerCase() === to.toLowerCase()))
      .filter(matches)
      .sort((a, b) => new Date(b.time) - new Date(a.time));
    if (found.length) return found[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} arrived`);
}

/** The first link in `mail` that leads to `path` on the site. */
export function linkIn(mail, path) {
  const link = mail.text.split(/\s+/).find((w) => w.startsWith("http") && w.includes(path));
  if (!link) throw new Error(`no link to ${path} in: ${mail.text}`);
  return link;
}

/** Runs the server binary's CLI against the running server's database. */
export function serverCli(args) {
  const env = { ...process.env, ...JSON.parse(process.env.XTASK_CLI_ENV ?? "{}") };
  return execFileSync(process.env.XTASK_SERVER_BIN, args, { env, encoding: "utf8" });
}

/** Starts another server on a free port with a fresh SQLite database, with
 * the main server's settings minus those whose names start with one of
 * `without` (`["GOOGLE_", "STRIPE_"]`: an instance where those are compiled
 * in but not configured) plus `extra`. Returns its base URL and `stop()`. */
export async function startInstance({ without = [], extra = {} } = {}) {
  const { spawn } = await import("node:child_process");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const net = await import("node:net");
  const port = await new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), "xtask-instance-"));
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ...JSON.parse(process.env.XTASK_CLI_ENV ?? "{}") };
  for (const name of Object.keys(env)) {
    if (without.some((prefix) => name.startsWith(prefix))) delete env[name];
  }
  Object.assign(env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: base,
    DATABASE_URL: `sqlite://${join(dir, "app.db")}?mode=rwc`,
    LEPTOS_SITE_ROOT: process.env.XTASK_SITE_ROOT,
    ...extra,
  });
  const child = spawn(process.env.XTASK_SERVER_BIN, [], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + "/readyz")).ok) break;
    } catch {}
    if (i > 300 || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the instance on ${base} did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

/** Fills and submits the sign-up form; does not wait for the result. */
export async function fillSignUp(page, { name = "Ada Lovelace", email, password = PASSWORD }) {
  await page.getByLabel("Name").fill(name);
  const emailField = page.getByLabel("Email");
  if ((await emailField.getAttribute("readonly")) === null) await emailField.fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Registers through the UI and confirms the address from the delivered mail; returns the page the user lands on. */
export async function registerAndVerify(page, email, name = "Ada Lovelace", base = BASE_URL) {
  await page.goto(base + "/signup");
  await waitForHydration(page);
  await fillSignUp(page, { name, email });
  await page.waitForURL("**/verify-email");
  const mail = await mailTo(email, (m) => m.subject.startsWith("Confirm"));
  await page.goto(linkIn(mail, "/verify-email"));
  await waitForHydration(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/verify-email"));
  return new URL(page.url()).pathname;
}

/** Signs in through the form. */
export async function signIn(page, email, password = PASSWORD) {
  await page.goto(BASE_URL + "/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** On a fake provider's consent page: chooses the person and continues. */
export async function consentAs(page, { email, name = "Grace Hopper", verified = true }) {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Name", { exact: true }).fill(name);
  if (!verified) await page.getByLabel("Email verified").uncheck();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The path a signed-in user with access starts on. */
export function mainPath() {
  return FEATURES.has("chat") ? "/chat" : "/home";
}

/** The path a signed-in user without access is sent to. */
export function noAccessPath() {
  return FEATURES.has("stripe_payment") ? "/payment" : "/invite-only";
}
