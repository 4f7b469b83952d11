// Page weight budgets of the release build (issue 14): the main WASM chunk
// and each page's first load — HTML, JS, WASM chunks, CSS and everything
// else the browser fetches with an empty cache, as bytes on the wire from
// Chromium's network log. Sizes are deterministic; nothing here is timed.
// Run by `cargo xtask budgets`; it joins `cargo xtask test` once the build
// is within them (today it is not: see the README's "Page weight").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE_URL,
  BUILD,
  FEATURES,
  launch,
  linkedAsset,
  openPage,
  registerAndVerify,
  serverCli,
  uniqueEmail,
  waitForHydration,
} from "../lib.mjs";

const RELEASE = BUILD === "release";
const LOCAL = FEATURES.has("local_auth");

/** The main chunk's budget, brotli-compressed. */
export const MAIN_CHUNK_BROTLI = 180_000;
/** First-load budgets per page (bytes on the wire). */
export const FIRST_LOAD = { entry: 200_000, chat: 320_000, other: 260_000 };

let browser;
before(async () => {
  if (RELEASE) browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Loads `path` with an empty cache and returns the bytes and requests it took. */
async function firstLoad(context, path) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const sizes = new Map();
  cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
  await page.goto(BASE_URL + path);
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
  const bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  await page.close();
  return { bytes, requests: sizes.size };
}

test("the main WASM chunk is within its brotli budget", { skip: !RELEASE }, async () => {
  const html = await (await fetch(BASE_URL + "/")).text();
  const wasm = linkedAsset(html, "wasm");
  assert.ok(wasm, "the page links the main WASM");
  const res = await fetch(BASE_URL + wasm, { headers: { "accept-encoding": "br" } });
  assert.equal(res.headers.get("content-encoding"), "br");
  const size = Number(res.headers.get("content-length"));
  assert.ok(size > 0);
  assert.ok(size <= MAIN_CHUNK_BROTLI, `main chunk: ${size} B brotli, budget ${MAIN_CHUNK_BROTLI} B`);
});

test("the entry pages' first loads are within budget", { skip: !RELEASE }, async () => {
  const { context } = await openPage(browser);
  const pages = ["/", "/signin", "/signup", ...(FEATURES.has("stripe_payment") ? ["/pricing"] : [])];
  const over = [];
  for (const path of pages) {
    const { bytes, requests } = await firstLoad(context, path);
    console.log(`first load ${path}: ${bytes} B in ${requests} requests`);
    if (bytes > FIRST_LOAD.entry) over.push(`${path}: ${bytes} B > ${FIRST_LOAD.entry} B`);
  }
  assert.deepEqual(over, []);
  await context.close();
});

test("signed-in pages' first loads are within budget", { skip: !RELEASE || !LOCAL }, async () => {
  const { context, page } = await openPage(browser);
  const email = uniqueEmail("weight");
  serverCli(["invite", "create", "--email", email, "--days", "7"]);
  await registerAndVerify(page, email);
  await page.close();
  const pages = [
    ...(FEATURES.has("chat") ? [["/chat", FIRST_LOAD.chat]] : [["/home", FIRST_LOAD.other]]),
    ["/account", FIRST_LOAD.other],
  ];
  const over = [];
  for (const [path, budget] of pages) {
    const { bytes, requests } = await firstLoad(context, path);
    console.log(`first load ${path}: ${bytes} B in ${requests} requests`);
    if (bytes > budget) over.push(`${path}: ${bytes} B > ${budget} B`);
  }
  assert.deepEqual(over, []);
  await context.close();
});
