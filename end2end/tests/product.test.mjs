// The product as its users meet it (issue 15): invites that survive a second
// click, pages that say only what this instance offers, an account page that
// keeps up, the admin page's rough edges, focus rings, and the first admin's
// way in. Each test is named after what a person sees.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  ADMIN_EMAIL,
  BASE_URL,
  FEATURES,
  MAILDEV_API,
  PASSWORD,
  fillSignUp,
  launch,
  linkIn,
  mailTo,
  mainPath,
  noAccessPath,
  openPage,
  registerAndVerify,
  serverCli,
  signIn,
  startInstance,
  uniqueEmail,
  unexpected,
  waitForHydration,
} from "../lib.mjs";

const LOCAL = FEATURES.has("local_auth");
const GOOGLE = FEATURES.has("google_auth");
const GITHUB = FEATURES.has("github_auth");
const PAYMENTS = FEATURES.has("stripe_payment");
const CHAT = FEATURES.has("chat");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Signs `page` in as the admin (`email`, listed in the server's
 * ADMIN_EMAILS) on `base`, registering them when another test file has not. */
async function asAdmin(page, base = BASE_URL, email = ADMIN_EMAIL) {
  await page.goto(base + "/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  const outcome = await Promise.race([
    page.waitForURL("**" + mainPath()).then(() => "in", () => "timeout"),
    page.getByText("Wrong email or password.").waitFor().then(() => "unknown", () => "timeout"),
  ]);
  assert.notEqual(outcome, "timeout", "signing in as the admin neither worked nor was refused");
  if (outcome === "unknown") {
    assert.equal(await registerAndVerify(page, email, "Admin", base), mainPath(), "admins have access");
  }
}

/** Every mail to `to` whose subject matches, oldest first. */
async function mailsTo(to, subject) {
  await mailTo(to, (m) => subject.test(m.subject));
  const all = await (await fetch(`${MAILDEV_API}/api/email`)).json();
  return all
    .filter((m) => (m.to ?? []).some((r) => r.address?.toLowerCase() === to.toLowerCase()))
    .filter((m) => subject.test(m.subject))
    .sort((a, b) => new Date(a.time) - new Date(b.time));
}

async function sendInvite(page, email) {
  const form = page.getByTestId("invite-form");
  await form.getByLabel("Email").fill(email);
  await form.getByRole("button", { name: "Send invite" }).click();
}

test("resending an invite keeps the first link working", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("twice");
  const { context, page, problems } = await openPage(browser);
  await asAdmin(page);
  await page.goto(BASE_URL + "/admin");
  await waitForHydration(page);
  await sendInvite(page, email);
  await page.getByText(`Invitation sent to ${email}.`).waitFor();
  assert.equal(await page.getByTestId("invite-form").getByLabel("Email").inputValue(), "", "the form is empty again");
  const [first] = await mailsTo(email, /invited/);

  await sendInvite(page, email);
  await page.getByText(`${email} already had an open invitation: it was sent again with a new link`).waitFor();
  const rows = page.getByTestId("invites").locator("tr", { hasText: email });
  assert.equal(await rows.count(), 1, "one invite, not a revoked one and a new one");
  assert.match(await rows.innerText(), /Pending/);
  // (A 401 when the admin signs in before registering.)
  for (let i = 0; (await mailsTo(email, /invited/)).length < 2; i++) {
    assert.ok(i < 100, "the guest got the second email");
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(unexpected(problems), []);
  await context.close();

  // The link in the first email still works.
  const guest = await openPage(browser);
  await guest.page.goto(linkIn(first, "/signup"));
  await waitForHydration(guest.page);
  await guest.page.getByText(/You are invited! Your access lasts until/).waitFor();
  await fillSignUp(guest.page, { name: "Guest", email });
  await guest.page.waitForURL("**" + mainPath());
  assert.deepEqual(guest.problems, []);
  await guest.context.close();

  // Redeemed: the admin page offers to end the access it gave, by name.
  const again = await openPage(browser);
  await asAdmin(again.page);
  await again.page.goto(BASE_URL + "/admin");
  await waitForHydration(again.page);
  const row = again.page.getByTestId("invites").locator("tr", { hasText: email });
  await row.getByText("Redeemed").waitFor();
  assert.equal(await row.getByRole("button", { name: "Revoke" }).count(), 0);
  await row.getByRole("button", { name: `End the access ${email} got from this invitation` }).waitFor();
  await again.context.close();
});

test("a replaced invite link says a newer invitation was sent", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("replaced");
  const { context, page, problems } = await openPage(browser);
  await asAdmin(page);
  await page.goto(BASE_URL + "/admin");
  await waitForHydration(page);
  await sendInvite(page, email);
  await page.getByText(`Invitation sent to ${email}.`).waitFor();
  const [first] = await mailsTo(email, /invited/);
  const row = page.getByTestId("invites").locator("tr", { hasText: email });
  await row.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  await row.getByText("Revoked").waitFor();
  await sendInvite(page, email);
  await page.getByText(`Invitation sent to ${email}.`).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();

  const guest = await openPage(browser);
  await guest.page.goto(linkIn(first, "/signup"));
  await waitForHydration(guest.page);
  await guest.page
    .getByText("A newer invitation was sent to this address. Use the link in the latest invitation email.")
    .waitFor();
  assert.deepEqual(unexpected(guest.problems), []);
  await guest.context.close();
});

test("someone who already has access is told they're all set on the payment page", { skip: !LOCAL || !PAYMENTS }, async () => {
  const { context, page, problems } = await openPage(browser);
  await asAdmin(page);
  await page.goto(BASE_URL + noAccessPath());
  await waitForHydration(page);
  await page.getByRole("heading", { name: "You're all set" }).waitFor();
  await page.getByText(/You have access/).waitFor();
  assert.equal(await page.getByText(/needs access/).count(), 0, "no contradiction");
  assert.equal(await page.getByRole("link", { name: "Open the app" }).getAttribute("href"), mainPath());
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test(
  "an instance without provider or Stripe keys shows only what works, and whom to ask for an invitation",
  { skip: !LOCAL || !(GOOGLE || GITHUB || PAYMENTS) },
  async () => {
    const instance = await startInstance({
      without: ["GOOGLE_", "GITHUB_", "STRIPE_"],
      extra: { SUPPORT_EMAIL: "help@example.com" },
    });
    try {
      const { context, page, problems } = await openPage(browser);
      for (const path of ["/signin", "/signup"]) {
        await page.goto(instance.base + path);
        await waitForHydration(page);
        assert.equal(await page.getByText(/Continue with/).count(), 0, `${path}: no provider button that cannot work`);
        assert.equal(await page.getByRole("separator").count(), 0, `${path}: no "or" before nothing`);
      }
      await page.goto(instance.base + "/");
      await waitForHydration(page);
      assert.equal(await page.getByText(/Pay by card|choose how you pay/i).count(), 0, "the landing page promises no payments");
      if (PAYMENTS) {
        await page.goto(instance.base + "/pricing");
        await waitForHydration(page);
        await page.getByText("Online payment is not available yet.", { exact: false }).waitFor();
        await page.getByTestId("payments-off").getByRole("link", { name: "help@example.com" }).waitFor();
      }

      if (PAYMENTS) {
        // Payments compiled in: anyone may register, and lands where access is got.
        await registerAndVerify(page, uniqueEmail("uninvited"), "Ada Lovelace", instance.base);
        assert.equal(new URL(page.url()).pathname, noAccessPath());
      } else {
        await page.goto(instance.base + noAccessPath());
        await waitForHydration(page);
      }
      await page.getByRole("heading", { name: "This service is invite only" }).waitFor();
      const contact = page.getByRole("link", { name: "help@example.com" });
      assert.equal(await contact.getAttribute("href"), "mailto:help@example.com");
      assert.equal(await page.getByText(/plan/i).count(), 0, "no plans to choose from");
      if (PAYMENTS) {
        const signOut = page.getByTestId("invite-only").getByRole("button", { name: "Sign out" });
        assert.match(await signOut.getAttribute("class"), /btn-secondary/, "signing out is not the page's main action");
        await page.goto(instance.base + "/account");
        await waitForHydration(page);
        await page.getByRole("heading", { name: "Your account" }).waitFor();
        assert.equal(await page.getByRole("heading", { name: "Sign-in providers" }).count(), 0, "nothing to link");
      }
      assert.deepEqual(unexpected(problems), []);
      await context.close();
    } finally {
      await instance.stop();
    }
  },
);

// (Registering without an invite needs payments compiled in.)
test("the account page shows a new name, empties the password form and drops signed-out devices", { skip: !LOCAL || !PAYMENTS }, async () => {
  const email = uniqueEmail("account");
  const { context, page, problems } = await openPage(browser);
  await registerAndVerify(page, email, "Ada Lovelace");
  // A second device.
  const phone = await openPage(browser);
  await signIn(phone.page, email);
  await phone.page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  await page.goto(BASE_URL + "/account");
  await waitForHydration(page);
  const devices = page.getByTestId("sessions").locator("li");
  await devices.nth(1).waitFor();
  assert.equal(await devices.count(), 2);

  await page.getByLabel("Name").fill("Ada King");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved.").waitFor();
  await page.getByTestId("account-link").getByText("Ada King").waitFor();

  const form = page.getByTestId("change-password-form");
  await form.getByLabel("Current password").fill(PASSWORD);
  await form.getByLabel("New password").fill("an entirely different passphrase");
  await form.getByRole("button", { name: "Change password" }).click();
  await page.getByText(/Your password has been changed/).waitFor();
  assert.equal(await form.getByLabel("Current password").inputValue(), "");
  assert.equal(await form.getByLabel("New password").inputValue(), "");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="sessions"] li').length === 1);
  assert.deepEqual(unexpected(problems), []);
  await phone.context.close();
  await context.close();
});

test(
  "the admin page says what the defaults are, that nothing is there yet, and whom a grant went to",
  { skip: !LOCAL },
  async () => {
    const admin = uniqueEmail("admin");
    const instance = await startInstance({ without: ["GOOGLE_", "GITHUB_", "STRIPE_"], extra: { ADMIN_EMAILS: admin } });
    try {
      const { context, page, problems } = await openPage(browser);
      await asAdmin(page, instance.base, admin);
      await page.goto(instance.base + "/admin");
      await waitForHydration(page);
      await page.getByTestId("no-invites").getByText("No invites yet.", { exact: false }).waitFor();
      // What is left to set up is told to the admin, not to users.
      const expected = [
        [GOOGLE, "Google sign-in is built in but not configured: set GOOGLE_CLIENT_ID"],
        [GITHUB, "GitHub sign-in is built in but not configured: set GITHUB_CLIENT_ID"],
        [PAYMENTS, "Payments are built in but not configured: set STRIPE_SECRET_KEY"],
      ];
      for (const [on, text] of expected) {
        assert.equal(await page.getByText(text, { exact: false }).count(), on ? 1 : 0, text);
      }
      await page.getByText("Empty: the default, 30 days.").waitFor();
      await page.getByText("Empty: the default, 14 days.").waitFor();

      const stranger = uniqueEmail("stranger");
      const grant = page.getByTestId("grant-form");
      await grant.getByLabel("Email").fill(stranger);
      await grant.getByRole("button", { name: "Grant access" }).click();
      await page.getByText(`No account uses ${stranger} yet.`).waitFor();
      await page.getByRole("button", { name: `Invite ${stranger}` }).click();
      await page.getByText(`Invitation sent to ${stranger}.`).waitFor();
      await page.getByTestId("invites").getByText("Pending").waitFor();

      await grant.getByLabel("Email").fill(admin);
      await grant.getByRole("button", { name: "Grant access" }).click();
      await page.getByText(new RegExp(`${admin.replace(/[.]/g, "\\.")} now has access until \\d{4}-\\d\\d-\\d\\d\\.`)).waitFor();

      // On a phone: the row fits, its button whole on screen.
      await page.setViewportSize({ width: 360, height: 800 });
      const revoke = page.getByRole("button", { name: `Revoke the invitation for ${stranger}` });
      const box = await revoke.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `Revoke is on screen: ${JSON.stringify(box)}`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, "no sideways scrolling");
      assert.deepEqual(unexpected(problems), []);
      await context.close();
    } finally {
      await instance.stop();
    }
  },
);

test("a new admin made on the command line sets a password and is signed in", { skip: !LOCAL }, async () => {
  const email = uniqueEmail("founder");
  const out = serverCli(["admin", "create", "--email", email]);
  assert.match(out, /PUBLIC_URL/, "the output says which address the link uses");
  const link = out.split(/\s+/).find((w) => w.startsWith("http") && w.includes("/reset-password"));
  assert.ok(link, out);
  const { context, page, problems } = await openPage(browser);
  await page.goto(link);
  await waitForHydration(page);
  await page.getByLabel("New password").fill("the founder's own passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.waitForURL("**" + mainPath());
  await page.getByTestId("account-link").waitFor();
  await page.goto(BASE_URL + "/admin");
  await page.getByRole("heading", { name: "Admin", exact: true }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

/** The focus indicator of the focused element: an outline or ring in the
 * theme's accent colour (`--color-accent-400`, whatever the brand made it). */
async function focusRing(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // Marked once: meeting a marked element again means the tour is complete.
    const again = el.dataset.tabbed === "1";
    el.dataset.tabbed = "1";
    // The accent as the browser writes a computed colour, from a probe.
    const defined = getComputedStyle(document.documentElement).getPropertyValue("--color-accent-400").trim() !== "";
    const probe = document.createElement("span");
    probe.style.color = "var(--color-accent-400)";
    document.body.append(probe);
    const accent = getComputedStyle(probe).color;
    probe.remove();
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && s.outlineColor === accent;
    const ring = s.boxShadow.includes(accent);
    return { name: el.getAttribute("aria-label") ?? el.textContent.trim().slice(0, 40), tag: el.tagName, ok: defined && (outline || ring), again };
  });
}

for (const colorScheme of ["light", "dark"]) {
  test(`every control of the chat page shows the accent focus ring (${colorScheme})`, { skip: !LOCAL || !CHAT }, async () => {
    const { context, page, problems } = await openPage(browser, { colorScheme });
    await asAdmin(page);
    await waitForHydration(page);
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("Hello there");
    await composer.press("Enter");
    await page.getByRole("button", { name: "Copy" }).waitFor();
    const title = await page.getByTestId("conversation").first().locator("button").first().innerText();
    await page.getByRole("button", { name: `Rename “${title}”` }).first().waitFor();
    await page.getByRole("button", { name: `Delete “${title}”` }).first().waitFor();

    // When the exchange ends (its title included: Stop turns back into Send)
    // the composer takes focus: let that happen before touring the page, or
    // it pulls focus away mid-tour.
    await page.getByTestId("send").waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.activeElement?.id === "chat-message", null, { timeout: 15_000 });
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    const bare = [];
    const seen = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const ring = await focusRing(page);
      if (!ring) continue;
      if (ring.again) break;
      const key = `${ring.tag} ${ring.name}`;
      seen.add(key);
      if (!ring.ok) bare.push(key);
    }
    assert.ok(
      seen.size > 8,
      `tabbed through the page: ${[...seen].join(", ")}\nheader: ${await page.locator("header").innerHTML()}`,
    );
    assert.deepEqual(bare, [], "controls without the theme's focus ring");
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });
}
