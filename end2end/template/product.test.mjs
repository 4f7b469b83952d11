// A product made by `cargo xtask new`, in the browser: `cargo xtask test`
// makes one (its name, logo and colours in XTASK_EXPECT_*), builds it and
// runs this file against it with the product's own `cargo xtask e2e`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { BASE_URL, launch, openPage, unexpected, waitForHydration, registerAndVerify, uniqueEmail, mailTo } from "../lib.mjs";

const NAME = process.env.XTASK_EXPECT_NAME;
const LOGO = process.env.XTASK_EXPECT_LOGO;
/** The theme's primary-700 and accent-400 as `cargo xtask new` wrote them. */
const PRIMARY_700 = process.env.XTASK_EXPECT_PRIMARY_700;
const ACCENT_400 = process.env.XTASK_EXPECT_ACCENT_400;

let browser;
before(async () => {
  for (const [k, v] of Object.entries({ NAME, LOGO, PRIMARY_700, ACCENT_400 })) {
    if (!v) throw new Error(`XTASK_EXPECT_${k} is not set (cargo xtask test sets it)`);
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the landing page shows the product's name and logo", async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(BASE_URL + "/");
  await waitForHydration(page);
  assert.match(await page.title(), new RegExp(NAME.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  const home = page.getByRole("navigation").getByRole("link").first();
  assert.equal((await home.textContent()).trim(), NAME);
  assert.equal(await home.locator("img").getAttribute("src"), "/favicon.svg");
  const served = await (await fetch(BASE_URL + "/favicon.svg")).text();
  assert.equal(served, readFileSync(LOGO, "utf8"), "the favicon is the product's logo");
  // The PNG icons are drawn from it: the touch icon's top centre is the
  // logo's circle (its first fill), above the letter.
  const fill = served.match(/fill="#([0-9a-f]{6})"/i)[1];
  const rgb = [0, 2, 4].map((i) => parseInt(fill.slice(i, i + 2), 16));
  const pixel = await page.evaluate(async () => {
    const img = new Image();
    img.src = "/apple-touch-icon.png";
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return [img.width, ...ctx.getImageData(90, 17, 1, 1).data.slice(0, 3)];
  });
  assert.deepEqual(pixel, [180, ...rgb], "the touch icon is the logo");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("the theme's colours are the product's", async () => {
  const { context, page } = await openPage(browser, { colorScheme: "light" });
  await page.goto(BASE_URL + "/signup");
  await waitForHydration(page);
  const colours = await page.evaluate(
    ([primary, accent]) => {
      const resolve = (css) => {
        const probe = document.createElement("span");
        probe.style.color = css;
        document.body.append(probe);
        const c = getComputedStyle(probe).color;
        probe.remove();
        return c;
      };
      const button = document.querySelector(".btn-primary");
      return {
        button: getComputedStyle(button).backgroundColor,
        primary: resolve(primary),
        accent: resolve(accent),
        themeAccent: resolve("var(--color-accent-400)"),
      };
    },
    [PRIMARY_700, ACCENT_400],
  );
  assert.equal(colours.button, colours.primary, "a primary button is the product's primary-700");
  assert.equal(colours.themeAccent, colours.accent, "the accent is the product's");
  await context.close();
});

test("every text passes WCAG AA contrast in both themes (axe-core)", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const { context, page } = await openPage(browser, { colorScheme });
    for (const path of ["/", "/signup", "/signin"]) {
      await page.goto(BASE_URL + path);
      await waitForHydration(page);
      const results = await new AxeBuilder({ page }).withRules(["color-contrast"]).analyze();
      const found = results.violations.flatMap((v) => v.nodes.map((n) => `${path} (${colorScheme}): ${n.target.join(" ")}: ${n.failureSummary}`));
      assert.deepEqual(found, []);
    }
    await context.close();
  }
});

test("a visitor signs up, and the email names the product", async () => {
  const { context, page, problems } = await openPage(browser);
  const email = uniqueEmail("smoke");
  const landed = await registerAndVerify(page, email);
  assert.notEqual(landed, "/signup");
  const mail = await mailTo(email, (m) => m.subject.startsWith("Confirm"));
  assert.ok(mail.subject.includes(NAME), mail.subject);
  assert.ok(mail.from.some((f) => f.name === NAME), JSON.stringify(mail.from));
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
