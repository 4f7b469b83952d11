// Credits in a real browser: the balance in the header and what a reply
// costs, the composer's estimate, the wallet's ledger of a reply, and a
// user out of credits told why and where to get more. The test servers
// grant every account a free quota of 10,000.00 credits payable on the
// fake models (end2end/fakes: PRICES, QUOTA).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  FEATURES,
  launch,
  openPage,
  registerAndVerify,
  serverCli,
  startInstance,
  uniqueEmail,
  unexpected,
  waitForHydration,
} from "../lib.mjs";

const ENABLED = FEATURES.has("chat") && FEATURES.has("local_auth");

let browser;
before(async () => {
  if (ENABLED) browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A new user with access (an invite, with `credits` in the smallest
 * unit), signed in on the chat page. */
async function member(credits = 0) {
  const { context, page, problems } = await openPage(browser);
  const email = uniqueEmail("credits");
  serverCli(["invite", "create", "--email", email, "--days", "7", "--credits", String(credits)]);
  assert.equal(await registerAndVerify(page, email), "/chat");
  await waitForHydration(page);
  await page.getByTestId("model-picker").locator("option").first().waitFor({ state: "attached" });
  return { context, page, problems, email };
}

/** Credits as shown ("9,999.87") as a number of hundredths. */
const amount = (text) => Math.round(Number(text.trim().replaceAll(",", "")) * 100);

test("a reply's cost shows on it, in the header's balance and in the wallet's ledger", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  const balance = page.getByTestId("balance");
  await assert.doesNotReject(balance.filter({ hasText: "10,000.00" }).waitFor(), "the free quota is there");
  assert.match(await balance.getAttribute("title"), /10,000\.00 available, 0\.00 held/);

  await page.getByTestId("model-picker").selectOption("fake-gpt");
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("How much does this cost?");
  const estimate = page.getByTestId("estimate");
  await estimate.filter({ hasText: /about [\d.,]+ credits, at most [\d.,]+/ }).waitFor();
  const [typical, worst] = (await estimate.innerText()).match(/\d[\d,]*(?:\.\d+)?/g).map(amount);
  assert.ok(typical > 0 && typical <= worst, `estimate ${typical}, worst ${worst}`);

  await box.press("Enter");
  const reply = page.getByTestId("message-assistant").last();
  await reply.and(page.locator('[data-state="completed"]')).waitFor();
  const usage = reply.getByTestId("message-usage");
  await usage.filter({ hasText: /\d+ tokens · [\d.,]+ credits/ }).waitFor();
  const charged = amount((await usage.innerText()).match(/· ([\d.,]+) credits/)[1]);
  assert.ok(charged > 0 && charged <= worst, `charged ${charged}, worst ${worst}`);
  // The header catches up with what the reply cost.
  await page.waitForFunction(
    (expected) => {
      const el = document.querySelector('[data-testid="balance"]');
      return el && Math.round(Number(el.textContent.trim().replaceAll(",", "")) * 100) === expected;
    },
    1_000_000 - charged,
    { timeout: 10_000 },
  );

  // The wallet: the quota's bucket and the reply's entries.
  await balance.click();
  await page.waitForURL("**/wallet");
  const wallet = page.getByTestId("wallet");
  await wallet.getByRole("heading", { name: "Where your credits come from" }).waitFor();
  assert.equal(amount(await page.getByTestId("wallet-available").innerText()), 1_000_000 - charged);
  await wallet.getByRole("cell", { name: "Free credits" }).first().waitFor();
  const kinds = await page.getByTestId("ledger-entry").evaluateAll((rows) => rows.map((r) => r.dataset.kind));
  for (const kind of ["grant", "hold", "settle", "release"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  await page.getByTestId("ledger-filter").selectOption("settle");
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="ledger-entry"]')].every((r) => r.dataset.kind === "settle"),
  );
  const spent = page.getByTestId("ledger-entry");
  assert.equal(await spent.count(), 1);
  assert.equal(amount(await spent.getByRole("cell").nth(2).innerText()), charged);
  await wallet.getByRole("heading", { name: "Cost per conversation" }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("out of credits, a message is refused with why and where to get more, and nothing is lost", { skip: !ENABLED }, async () => {
  const email = uniqueEmail("broke");
  const instance = await startInstance({ extra: { CREDITS_FREE_QUOTA: "0", ADMIN_EMAILS: email } });
  try {
    const { context, page, problems } = await openPage(browser);
    await registerAndVerify(page, email, "Ada Lovelace", instance.base);
    await page.goto(instance.base + "/chat");
    await waitForHydration(page);
    await page.getByTestId("balance").filter({ hasText: "0.00" }).waitFor();
    await page.getByTestId("model-picker").selectOption("fake-gpt");
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("Tell me everything");
    await box.press("Enter");
    await page.getByRole("alert").filter({ hasText: "Not enough credits for a reply" }).waitFor();
    const link = page.getByTestId("out-of-credits").getByRole("link");
    assert.match(await link.innerText(), /credits/i);
    assert.ok(["/pricing", "/wallet"].includes(await link.getAttribute("href")) || (await link.getAttribute("href")).startsWith("mailto:"));
    assert.equal(await box.inputValue(), "Tell me everything", "the message is kept to send later");
    assert.equal(await page.getByTestId("message-assistant").count(), 0);
    await page.getByTestId("low-balance").waitFor();
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  } finally {
    await instance.stop();
  }
});

test("a monthly cap set in the wallet stops a reply past it, with a link back to change it", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member(500);
  await page.getByTestId("balance").click();
  await page.waitForURL("**/wallet");
  const wallet = page.getByTestId("wallet");
  // The invitation's credits are there, and say where they came from.
  await wallet.getByRole("cell", { name: "Invitation" }).waitFor();
  await wallet.getByRole("cell", { name: "Granted by us" }).first().waitFor();

  const cap = page.getByTestId("spending-cap");
  await cap.getByText("No cap is set.", { exact: false }).waitFor();
  await cap.getByLabel("Cap").fill("lots");
  await cap.getByRole("button", { name: "Save cap" }).click();
  await cap.getByText("Enter an amount of credits, like 25 or 12.50.").waitFor();
  // The fake models cost about a credit a reply: a cap of zero stops the next.
  await cap.getByLabel("Cap").fill("0");
  await cap.getByRole("button", { name: "Save cap" }).click();
  await cap.getByText("Your monthly cap is saved.").waitFor();
  await cap.getByTestId("cap-summary").filter({ hasText: /Spent this month: 0\.00 of 0\.00\./ }).waitFor();

  await page.goto(page.url().replace(/\/wallet$/, "/chat"));
  await waitForHydration(page);
  await page.getByTestId("model-picker").selectOption("fake-gpt");
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("Past my cap");
  await box.press("Enter");
  await page.getByRole("alert").filter({ hasText: "monthly spending cap you set: 0.00 of 0.00 used" }).waitFor();
  assert.equal(await box.inputValue(), "Past my cap", "the message is kept");
  await page.getByTestId("change-cap").click();
  await page.waitForURL("**/wallet");
  await cap.getByRole("button", { name: "Remove cap" }).click();
  await cap.getByText("Your monthly cap is removed.").waitFor();
  await cap.getByText("No cap is set.", { exact: false }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
