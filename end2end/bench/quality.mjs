// Lighthouse (mobile preset) and axe-core on pages of a running instance of the app
// server, for `cargo xtask bench`. It prints figures; it asserts nothing
// (scores move with the machine; the budgets that are deterministic live in
// `end2end/budgets/`).
//
// Environment (set by the xtask): BASE_URL; XTASK_PAGES, a JSON list of
// [label, path, signedIn]; XTASK_COOKIE, the `Cookie` header of a signed-in
// member; CHROMIUM_PATH; NODE22, a Node >= 22 binary for Lighthouse 13.
// Lines starting with "REPORT " go into the bench's summary.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE_URL = process.env.BASE_URL;
const PAGES = JSON.parse(process.env.XTASK_PAGES ?? "[]");
const COOKIE = process.env.XTASK_COOKIE ?? "";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const NODE22 = process.env.NODE22;
const LIGHTHOUSE = path.join(here, "node_modules", "lighthouse", "cli", "index.js");
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

function lighthouse(url, signedIn) {
  const args = [
    LIGHTHOUSE,
    url,
    "--quiet",
    "--output=json",
    "--output-path=stdout",
    `--only-categories=${CATEGORIES.join(",")}`,
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
  ];
  if (signedIn) args.push(`--extra-headers=${JSON.stringify({ Cookie: COOKIE })}`);
  const out = execFileSync(NODE22, args, {
    env: { ...process.env, CHROME_PATH: CHROMIUM },
    maxBuffer: 256 * 1024 * 1024,
  });
  const report = JSON.parse(out);
  if (report.runtimeError) throw new Error(`Lighthouse on ${url}: ${report.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(report.categories[c].score * 100)]));
  // What cost points, for the reader to act on.
  const failing = Object.entries(report.audits)
    .filter(([, a]) => a.score !== null && a.score < 0.9 && ["binary", "numeric", "metricSavings"].includes(a.scoreDisplayMode))
    .map(([id, a]) => (a.displayValue ? `${id} (${a.displayValue})` : id));
  // The nodes behind the LCP and the layout shifts, for the reader to act on.
  const nodes = (audit) => {
    const found = [];
    const walk = (v) => {
      if (!v || typeof v !== "object") return;
      if (v.type === "node" && v.selector) found.push(v.selector);
      else for (const x of Object.values(v)) walk(x);
    };
    walk(report.audits[audit]?.details);
    return [...new Set(found)].slice(0, 3).join(" | ") || "none";
  };
  return {
    scores,
    failing,
    lcp: `${report.audits["largest-contentful-paint"].displayValue}: ${nodes("lcp-breakdown-insight")}; shifts: ${nodes("cls-culprits-insight")}`,
  };
}

async function axe(browser, url, signedIn, colorScheme, width) {
  const context = await browser.newContext({ colorScheme, viewport: { width, height: 800 } });
  if (signedIn) {
    await context.addCookies(
      COOKIE.split("; ").map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: BASE_URL };
      }),
    );
  }
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid="theme-toggle"]:not([disabled])', { timeout: 30_000 });
  const results = await new AxeBuilder({ page }).analyze();
  await context.close();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  for (const [label, pagePath, signedIn] of PAGES) {
    const url = new URL(pagePath, BASE_URL).href;
    const lh = lighthouse(url, signedIn);
    const s = lh.scores;
    console.log(
      `REPORT lighthouse ${label.padEnd(17)} performance ${s.performance}, accessibility ${s.accessibility}, ` +
        `best practices ${s["best-practices"]}, SEO ${s.seo} (mobile; LCP ${lh.lcp})` +
        (lh.failing.length ? `; below 90: ${lh.failing.join(", ")}` : ""),
    );
    const found = [];
    for (const scheme of ["light", "dark"]) {
      for (const width of [360, 1280]) {
        for (const v of await axe(browser, url, signedIn, scheme, width)) {
          found.push(`${v.id} (${v.impact}, ${scheme} ${width} px, ${v.nodes.length} element(s))`);
        }
      }
    }
    console.log(
      `REPORT axe-core   ${label.padEnd(17)} ` +
        (found.length ? `serious or critical: ${found.join("; ")}` : "no serious or critical violations (light and dark, 360 and 1280 px)"),
    );
  }
} finally {
  await browser.close();
}
