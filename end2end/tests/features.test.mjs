// What the build's features put on the page, and how assets are served.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, BUILD, FEATURES, linkedAsset } from "../lib.mjs";

const CHAT_MARKERS = ["Start a conversation", "Начните разговор"];

test(`the chat route and strings follow the chat feature (${FEATURES.has("chat") ? "on" : "off"})`, async () => {
  const landing = await (await fetch(BASE_URL + "/")).text();
  const chat = await fetch(BASE_URL + "/chat", { redirect: "manual" });
  const chatHtml = await chat.text();
  if (FEATURES.has("chat")) {
    // The main route exists and is behind the gate.
    assert.equal(chat.status, 303);
    assert.equal(chat.headers.get("location"), "/signin?next=/chat");
    assert.ok(landing.includes('href="/chat"'));
  } else {
    assert.equal(chat.status, 404);
    for (const html of [landing, chatHtml, await (await fetch(BASE_URL + "/home")).text()]) {
      for (const marker of CHAT_MARKERS) assert.ok(!html.includes(marker), `found ${marker}`);
      assert.ok(!html.includes('href="/chat"'));
    }
  }
});

test("hashed assets are served precompressed and cached for a year", async () => {
  const html = await (await fetch(BASE_URL + "/")).text();
  const wasm = linkedAsset(html, "wasm");
  const css = linkedAsset(html, "css");
  assert.ok(wasm && css, "the page links hashed WASM and CSS");
  const js = linkedAsset(html, "js");
  assert.ok(js, "the page links the hashed JS");
  // A debug build leaves its (tens of MB of) WASM uncompressed: it would
  // take minutes at every start of `cargo xtask dev`.
  const precompressed = [["br", js], ["gzip", css], ...(BUILD === "release" ? [["br", wasm]] : [])];
  for (const [encoding, path] of precompressed) {
    const res = await fetch(BASE_URL + path, { headers: { "accept-encoding": encoding } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), encoding);
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  }
  const wasmRes = await fetch(BASE_URL + wasm);
  assert.equal(wasmRes.headers.get("content-type"), "application/wasm");
  const bytes = new Uint8Array(await wasmRes.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x00, 0x61, 0x73, 0x6d], "a WASM module");
  // The main chunk's (and each page's) budgets proper are checked by
  // `cargo xtask budgets` (end2end/budgets/), not yet met.
  if (BUILD === "release") assert.ok(bytes.length < 2_000_000, `release WASM is ${bytes.length} B`);
});

test("PNG icons drawn from the SVG favicon are linked and served at their sizes", async () => {
  const html = await (await fetch(BASE_URL + "/")).text();
  assert.ok(html.includes('<link rel="icon" href="/favicon-32.png" type="image/png" sizes="32x32"'), "the PNG favicon is linked");
  assert.ok(html.includes('<link rel="apple-touch-icon" href="/apple-touch-icon.png"'), "the touch icon is linked");
  for (const [path, size] of [["/favicon-32.png", 32], ["/apple-touch-icon.png", 180], ["/icon-512.png", 512]]) {
    const res = await fetch(BASE_URL + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("content-type"), "image/png", path);
    const png = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${path} is a PNG`);
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [size, size], path);
  }
});

test("the holding page is behind the gate", async () => {
  const res = await fetch(BASE_URL + "/home", { redirect: "manual" });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/signin?next=/home");
});
