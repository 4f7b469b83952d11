// Accounts in a real browser: registration, verification from the delivered
// mail, invites, routing by access, duplicate emails, sign-out, password
// reset, rate limits, and sign-in through the fake Google and GitHub.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  ADMIN_EMAIL,
  BASE_URL,
  FEATURES,
  PASSWORD,
  consentAs,
  duplicateIds,
  fillSignUp,
  launch,
  linkIn,
  mailTo,
  mainPath,
  noAccessPath,
  openPage,
  registerAndVerify,
  unexpected,
  serverCli,
  signIn,
  uniqueEmail,
  waitForHydration,
} from "../lib.mjs";

const LOCAL = FEATURES.has("local_auth");
const GOOGLE = FEATURES.has("google_auth");
const GITHUB = FEATURES.has("github_auth");
const PAYMENTS = FEATURES.has("stripe_payment");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The admin, signed in (the first run registers the ADMIN_EMAILS address). */
let adminReady = false;
async function asAdmin(page) {
  if (!adminReady) {
    assert.equal(await registerAndVerify(page, ADMIN_EMAIL, "Admin"), mainPath(), "admins have access");
    adminReady = true;
  } else {
    await signIn(page, ADMIN_EMAIL);
    await page.waitForURL("**" + mainPath());
  }
}

/** Invites `email` from the admin page; returns the sign-up link from the invite mail. */
async function inviteFromAdminPage(email) {
  const { context, page, problems } = await openPage(browser);
  await asAdmin(page);
  await page.goto(BASE_URL + "/admin");
  await waitForHydration(page);
  const form = page.getByTestId("invite-form");
  await form.getByLabel("Email").fill(email);
  await form.getByRole("button", { name: "Send invite" }).click();
  await page.getByText(`Invitation sent to ${email}.`).waitFor();
  await page.getByTestId("invites").getByText(email).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
  return linkIn(await mailTo(email, (m) => m.subject.includes("invited")), "/signup");
}

test("on the admin page each form's labels focus that form's own fields", { skip: !LOCAL }, async () => {
  const { context, page, problems } = await openPage(browser);
  await asAdmin(page);
  await page.goto(BASE_URL + "/admin");
  await waitForHydration(page);
  assert.deepEqual(await duplicateIds(page), [], "no two elements share an id");
  for (const form of ["invite-form", "grant-form"]) {
    await page.getByTestId(form).locator("label", { hasText: /^Email$/ }).click();
    assert.equal(
      await page.evaluate((f) => document.activeElement?.closest(`[data-testid="${f}"]`) !== null, form),
      true,
      `the ${form}'s Email label focuses its own input`,
    );
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("the sign-in page shows exactly the sign-in methods of this build", async () => {
  const { context, page, problems } = await openPage(browser);
  await page.goto(BASE_URL + "/signin");
  await waitForHydration(page);
  assert.equal(await page.getByLabel("Password").count(), LOCAL ? 1 : 0);
  assert.equal(await page.getByText("Forgot your password?").count(), LOCAL ? 1 : 0);
  assert.equal(await page.getByRole("link", { name: "Continue with Google" }).count(), GOOGLE ? 1 : 0);
  assert.equal(await page.getByRole("link", { name: "Continue with GitHub" }).count(), GITHUB ? 1 : 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a new email account verifies its address and is routed by its access", { skip: !LOCAL }, async () => {
  const { context, page, problems } = await openPage(browser);
  const email = uniqueEmail("ada");
  await page.goto(BASE_URL + "/signup");
  await waitForHydration(page);
  // Inline validation before anything is sent.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Email").blur();
  await page.getByText("That does not look like an email address.").waitFor();
  if (!PAYMENTS) {
    await fillSignUp(page, { email });
    await page.getByText("This service is invite only.").waitFor();
    assert.equal(new URL(page.url()).pathname, "/signup");
    await context.close();
    return;
  }
  await fillSignUp(page, { email });
  await page.waitForURL("**/verify-email");
  await page.getByText(`We sent a confirmation link to ${email}.`).waitFor();
  // Until the address is proven, the main route sends the user back here.
  await page.goto(BASE_URL + mainPath());
  assert.equal(new URL(page.url()).pathname, "/verify-email");

  const mail = await mailTo(email, (m) => m.subject.startsWith("Confirm"));
  await page.goto(linkIn(mail, "/verify-email"));
  await waitForHydration(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL("**" + noAccessPath());
  await page.getByText("Your account does not have access yet.").waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("an invited email goes straight to the main route", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("guest");
  const link = await inviteFromAdminPage(email);
  const { context, page, problems } = await openPage(browser);
  await page.goto(link);
  await waitForHydration(page);
  await page.getByText(/You are invited! Your access lasts until \d{4}-\d\d-\d\d\./).waitFor();
  assert.equal(await page.getByLabel("Email").inputValue(), email);
  await fillSignUp(page, { name: "Guest", email });
  await page.waitForURL("**" + mainPath());
  await page.getByText("Welcome, Guest!").waitFor();
  await page.getByText(/You have access until \d{4}-\d\d-\d\d \(invitation\)\./).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("an expired invite gives no access", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("late");
  serverCli(["invite", "create", "--email", email, "--days", "30", "--expires-at", "2020-01-01T00:00:00Z"]);
  const link = linkIn(await mailTo(email, (m) => m.subject.includes("invited")), "/signup");
  const { context, page } = await openPage(browser);
  await page.goto(link);
  await waitForHydration(page);
  await page.getByText("This link is invalid or has expired. Ask for a new one.").waitFor();
  await fillSignUp(page, { email });
  if (!PAYMENTS) {
    await page.getByText("This service is invite only.").waitFor();
    await context.close();
    return;
  }
  await page.waitForURL("**/verify-email");
  const mail = await mailTo(email, (m) => m.subject.startsWith("Confirm"));
  await page.goto(linkIn(mail, "/verify-email"));
  await waitForHydration(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL("**" + noAccessPath());
  await context.close();
});

test("an email that already has an account cannot register again, by any method", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("dup");
  const first = await openPage(browser);
  if (PAYMENTS) {
    await registerAndVerify(first.page, email);
  } else {
    const link = await inviteFromAdminPage(email);
    await first.page.goto(link);
    await waitForHydration(first.page);
    await fillSignUp(first.page, { email });
    await first.page.waitForURL("**" + mainPath());
  }
  await first.context.close();

  const { context, page } = await openPage(browser);
  await page.goto(BASE_URL + "/signup");
  await waitForHydration(page);
  await fillSignUp(page, { email: email.toUpperCase() });
  await page
    .getByText("An account with this email already exists. Sign in with email and password, the way you did before.")
    .waitFor();
  for (const provider of [GOOGLE && "Google", GITHUB && "GitHub"].filter(Boolean)) {
    await page.goto(BASE_URL + "/signin");
    await waitForHydration(page);
    await page.getByRole("link", { name: `Continue with ${provider}` }).click();
    await consentAs(page, { email });
    await page.waitForURL("**/signin?oauth_error=email_taken**");
    await page
      .getByText("An account with this email already exists. Sign in with email and password, the way you did before.")
      .waitFor();
  }
  await context.close();
});

test("signing out ends the session", { skip: !LOCAL || !PAYMENTS }, async () => {
  const { context, page, problems } = await openPage(browser);
  const email = uniqueEmail("out");
  await registerAndVerify(page, email);
  await page.goto(BASE_URL + "/account");
  await waitForHydration(page);
  assert.equal(await page.getByTestId("account-email").innerText(), email);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(BASE_URL + "/");
  await page.getByTestId("sign-in-link").waitFor();
  await page.goto(BASE_URL + "/account");
  assert.equal(new URL(page.url()).pathname, "/signin", "the session is gone on the server");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a password is reset from the email actually delivered", { skip: !LOCAL || !PAYMENTS }, async () => {
  const email = uniqueEmail("reset");
  const setup = await openPage(browser);
  await registerAndVerify(setup.page, email);
  await setup.context.close();

  const { context, page, problems } = await openPage(browser);
  await page.goto(BASE_URL + "/signin");
  await waitForHydration(page);
  await page.getByText("Forgot your password?").click();
  await page.waitForURL("**/forgot-password");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByText(/If an account exists for that email, a reset link is on its way/).waitFor();

  const mail = await mailTo(email, (m) => m.subject.startsWith("Reset"));
  await page.goto(linkIn(mail, "/reset-password"));
  await waitForHydration(page);
  await page.getByLabel("New password").fill("iloveyou");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByText("This password is too common or easy to guess. Choose another one.").waitFor();
  await page.getByLabel("New password").fill("a completely new passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.waitForURL("**/signin?reset=1");
  await page.getByText(/Your password has been changed/).waitFor();

  await signIn(page, email, PASSWORD);
  await page.getByText("Wrong email or password.").waitFor();
  await signIn(page, email, "a completely new passphrase");
  await page.waitForURL("**" + noAccessPath());
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("too many failed sign-ins show a friendly message", { skip: !LOCAL }, async () => {
  const { context, page } = await openPage(browser);
  const email = uniqueEmail("locked");
  await page.goto(BASE_URL + "/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  for (let i = 0; i < 10; i++) {
    await page.getByLabel("Password").fill(`wrong password ${i}`);
    const answered = page.waitForResponse((r) => r.url().includes("/api/auth/sign-in"));
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.equal((await answered).status(), 401);
    await page.getByText("Wrong email or password.").waitFor();
  }
  await page.getByLabel("Password").fill("one more guess");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(/Too many attempts\. Please try again in \d+ min\./).waitFor();
  await context.close();
});

for (const [provider, on] of [
  ["Google", GOOGLE],
  ["GitHub", GITHUB],
]) {
  test(`signing up with ${provider} lands where the access rule says`, { skip: !on }, async () => {
    const { context, page, problems } = await openPage(browser);
    const email = uniqueEmail(provider.toLowerCase());
    await page.goto(BASE_URL + "/signup");
    await waitForHydration(page);
    await page.getByRole("link", { name: `Continue with ${provider}` }).click();
    await consentAs(page, { email, name: "Grace Hopper" });
    if (PAYMENTS) {
      await page.waitForURL("**" + noAccessPath());
      await page.getByText("Your account does not have access yet.").waitFor();
    } else {
      await page.waitForURL("**/signin?oauth_error=invite_only");
      await page.getByText("This service is invite only.").waitFor();
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`an invited email signing in with ${provider} reaches the main route`, { skip: !on }, async () => {
    const email = uniqueEmail(`inv-${provider.toLowerCase()}`);
    serverCli(["invite", "create", "--email", email, "--days", "7"]);
    const { context, page, problems } = await openPage(browser);
    await page.goto(BASE_URL + "/signin");
    await waitForHydration(page);
    await page.getByRole("link", { name: `Continue with ${provider}` }).click();
    await consentAs(page, { email, name: "Grace Hopper" });
    await page.waitForURL("**" + mainPath());
    await page.getByText("Welcome, Grace Hopper!").waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}
