// WCAG AA: every visible text element has a contrast ratio of at least 4.5:1
// (3:1 for large text) against the background behind it, in both themes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, launch, openPage, waitForHydration } from "../lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// Runs in the page: lists text elements whose contrast is below AA.
function findLowContrast() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  // Resolves any CSS colour (Tailwind v4 uses oklch) to sRGB bytes.
  const rgba = (color) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    return [...ctx.getImageData(0, 0, 1, 1).data];
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    // Blends the stack of backgrounds from the page up to this element.
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let color = [255, 255, 255];
    for (const e of chain.reverse()) {
      const [r, g, b, a] = rgba(getComputedStyle(e).backgroundColor);
      const alpha = a / 255;
      color = color.map((c, i) => [r, g, b][i] * alpha + c * (1 - alpha));
    }
    return color;
  };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (!own || style.visibility === "hidden" || rect.width < 2 || rect.height < 2) continue;
    if (el.closest(".sr-only") || el.closest("option")) continue;
    const fg = rgba(style.color).slice(0, 3);
    const [l1, l2] = [luminance(fg), luminance(background(el))].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
  }
  return failures;
}

for (const scheme of ["light", "dark"]) {
  for (const path of ["/", "/no-such-page", "/signin", "/signup"]) {
    test(`text on ${path} passes WCAG AA contrast in the ${scheme} theme`, async () => {
      const { context, page } = await openPage(browser, { colorScheme: scheme });
      await page.goto(BASE_URL + path);
      await waitForHydration(page);
      const failures = await page.evaluate(findLowContrast);
      assert.deepEqual(failures, []);
      await context.close();
    });
  }
}
