// Payments in a real browser against the fake Stripe: pricing, Checkout,
// the success page waiting for the signed webhook, the billing portal, a
// cancelled checkout, and access lapsing when a period ends unpaid (the
// test command runs the fake with 15-second billing periods).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE_URL,
  FEATURES,
  launch,
  mainPath,
  openPage,
  registerAndVerify,
  unexpected,
  uniqueEmail,
  waitForHydration,
} from "../lib.mjs";

const PAYMENTS = FEATURES.has("stripe_payment");
const LOCAL = FEATURES.has("local_auth");
const PERIOD_MS = 15_000;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the pricing page shows the offers to everyone", { skip: !PAYMENTS }, async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(BASE_URL + "/pricing");
  await waitForHydration(page);
  const offers = page.getByTestId("offers");
  await offers.getByText("Monthly").waitFor();
  await offers.getByText("Yearly").waitFor();
  await offers.getByText("7-day pass").waitFor();
  await offers.getByText("9 USD").waitFor();
  // Signed out: sign up first.
  assert.equal(await offers.getByRole("link", { name: "Create an account to continue" }).count(), 3);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a cancelled checkout comes back to the payment page with nothing charged", { skip: !PAYMENTS || !LOCAL }, async () => {
  const { context, page, problems } = await openPage(browser);
  assert.equal(await registerAndVerify(page, uniqueEmail("undecided")), "/payment");
  await waitForHydration(page);
  await page.getByTestId("offer-pass-7").getByRole("button", { name: "Choose" }).click();
  await page.waitForURL("**/stripe/pay/**");
  await page.getByRole("link", { name: "Cancel" }).click();
  await page.waitForURL("**/payment?cancelled=1");
  await page.getByText("Checkout was cancelled. Nothing was charged.").waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test(
  "paying through Checkout grants access once the webhook arrives, and an unpaid period end sends the user back to /payment",
  { skip: !PAYMENTS || !LOCAL },
  async () => {
    const { context, page, problems } = await openPage(browser);
    assert.equal(await registerAndVerify(page, uniqueEmail("payer")), "/payment");
    await waitForHydration(page);
    await page.getByText("Your account does not have access yet.").waitFor();
    await page.getByTestId("offer-monthly").getByRole("button", { name: "Choose" }).click();
    await page.waitForURL("**/stripe/pay/**");
    const paidAt = Date.now();
    await page.getByRole("button", { name: "Pay" }).click();
    // Back from Checkout before the webhook: the page waits, visibly.
    await page.waitForURL("**/payment/success?session_id=*");
    await page.locator('[data-testid="checkout-progress"][data-state="waiting"]').waitFor();
    // The signed webhook grants access; the page moves on by itself.
    await page.waitForURL("**" + mainPath(), { timeout: 20_000 });
    await page.goto(BASE_URL + "/account");
    await waitForHydration(page);
    await page.getByText(/You have access until .*\(payment\)/).waitFor();
    await page.getByRole("button", { name: "Manage billing" }).click();
    await page.waitForURL("**/stripe/portal/**");
    await page.getByRole("heading", { name: "Billing portal" }).waitFor();

    // No invoice.paid for the next period: access ends with this one.
    await page.waitForTimeout(Math.max(0, paidAt + PERIOD_MS + 2_000 - Date.now()));
    await page.goto(BASE_URL + mainPath());
    await page.waitForURL("**/payment");
    await waitForHydration(page);
    await page.getByTestId("access-status").getByText(/ended/).waitFor();
    // And they can pay again.
    await page.getByTestId("offer-monthly").getByRole("button", { name: "Choose" }).click();
    await page.waitForURL("**/stripe/pay/**");
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  },
);
