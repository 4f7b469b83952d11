// Shared helpers for Keel's browser tests: run by `cargo xtask test`, which
// starts a built server and sets BASE_URL, KEEL_FEATURES, KEEL_BUILD and
// CHROMIUM_PATH. playwright-core drives Debian's Chromium; no browser is
// ever downloaded.
import { chromium } from "playwright-core";

export const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:3000";
export const FEATURES = new Set((process.env.KEEL_FEATURES ?? "").split(",").filter(Boolean));
export const BUILD = process.env.KEEL_BUILD ?? "debug";

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

/** A fresh context and page that record every console error, page error and CSP violation. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || /Content Security Policy/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

/** Waits until the WASM has hydrated: controls that need it become enabled. */
export async function waitForHydration(page) {
  await page.waitForSelector('[data-testid="theme-toggle"]:not([disabled])', { timeout: 30_000 });
}
