// The chat in a real browser, against the fake model APIs: a reply that
// renders progressively, Stop, reload, Markdown that never runs model
// output as HTML, rename/search/delete, regenerate, and a 360 px phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE_URL,
  FEATURES,
  launch,
  openPage,
  registerAndVerify,
  serverCli,
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

/** A new user with access (an invite), signed in on the chat page. */
async function member(options = {}) {
  const { context, page, problems } = await openPage(browser, options);
  const email = uniqueEmail("chat");
  serverCli(["invite", "create", "--email", email, "--days", "7"]);
  assert.equal(await registerAndVerify(page, email), "/chat");
  await waitForHydration(page);
  await page.getByTestId("model-picker").locator("option").first().waitFor({ state: "attached" });
  return { context, page, problems };
}

/** Types `text` into the composer and sends it with Enter. */
async function send(page, text) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

const lastReply = (page) => page.getByTestId("message-assistant").last();

test("a reply streams in progressively, Stop keeps what arrived, and a reload shows it all again", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  const picker = page.getByTestId("model-picker");
  const labels = await picker.locator("option").allTextContents();
  assert.ok(labels.includes("Demo model (offline)"), `the demo model is labelled as such: ${labels}`);
  assert.ok(labels.includes("Fake GPT"), `${labels}`);
  await picker.selectOption("fake-gpt");

  // Shift+Enter is a new line, not a send.
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("first line");
  await box.press("Shift+Enter");
  await box.pressSequentially("[words 400] second line");
  assert.equal(await box.inputValue(), "first line\n[words 400] second line");
  const typed = (await box.inputValue()).trim().length;
  await page.getByTestId("char-count").getByText(`${typed} / 16000 characters`).waitFor();

  // Record the reply's length at every change, from inside the page.
  await page.evaluate(() => {
    window.__lengths = [];
    new MutationObserver(() => {
      const replies = document.querySelectorAll('[data-testid="message-assistant"]');
      const last = replies[replies.length - 1];
      if (last) window.__lengths.push(last.querySelector(".prose-chat").textContent.length);
    }).observe(document.querySelector('[data-testid="thread"]'), { subtree: true, childList: true, characterData: true });
  });
  await box.press("Enter");
  await page.getByTestId("message-user").getByText("second line").waitFor();
  assert.equal(await box.inputValue(), "", "the composer empties once sent");
  await page.waitForURL(/\/chat\?c=[0-9a-f-]{36}$/);
  await page.waitForFunction(() => window.__lengths.filter((n) => n > 0).length >= 5);
  assert.equal(await lastReply(page).getAttribute("data-state"), "streaming");
  assert.ok(await page.getByTestId("send").count() === 0, "Stop replaces Send while a reply streams");

  await page.getByTestId("stop").click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "stopped",
  );
  await page.getByText("Stopped: the rest of this reply was not written.").waitFor();
  const lengths = await page.evaluate(() => window.__lengths);
  const distinct = [...new Set(lengths.filter((n) => n > 0))];
  assert.ok(distinct.length >= 3, `at least two intermediate renders before the last: ${distinct}`);
  const shown = await lastReply(page).locator(".prose-chat").textContent();
  await page.waitForTimeout(400);
  assert.equal(await lastReply(page).locator(".prose-chat").textContent(), shown, "nothing arrives after Stop");
  assert.ok(shown.startsWith("lorem ipsum dolor"), shown);
  const words = shown.trim().split(/\s+/).length;
  assert.ok(words >= 3 && words < 400, `stopped part-way: ${words} words`);

  await page.reload();
  await waitForHydration(page);
  await page.getByTestId("message-user").getByText("second line").waitFor();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message-assistant"]')?.dataset.state === "stopped",
  );
  const saved = await lastReply(page).locator(".prose-chat").textContent();
  assert.ok(saved.startsWith(shown.trim()), `the saved reply is what was shown: ${saved.length} vs ${shown.length}`);
  assert.ok(saved.trim().split(/\s+/).length < 400);
  const list = page.getByTestId("conversation-list");
  await list.getByRole("button", { name: "first line [words 400] second line", exact: true }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("a reply's stream that ends late (after its title) leaves the next reply's Stop working", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  await page.getByTestId("model-picker").selectOption("fake-gpt");
  await send(page, "[slow-title] name this later");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message-assistant"]')?.dataset.state === "completed",
  );
  // Done, but its stream stays open for the title (about 2 s): the next message goes now.
  await send(page, "[words 1000] keep talking");
  await page.getByTestId("message-user").getByText("keep talking").waitFor();
  await page.getByTestId("conversation-list").getByRole("button", { name: /^About name this later/ }).waitFor();
  await page.waitForTimeout(500);
  assert.equal(await lastReply(page).getAttribute("data-state"), "streaming");
  await page.getByTestId("stop").click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "stopped",
  );
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("replies render Markdown and code, never model output as HTML; Copy, Regenerate and Retry work", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE_URL });
  await page.getByTestId("model-picker").selectOption("fake-gpt");
  await page.evaluate(() => {
    window.__xss = 0;
  });
  await send(page, 'x **bold** <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>\n```rust\nlet n = 42; // answer\n```');
  const reply = lastReply(page);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message-assistant"]')?.dataset.state === "completed",
  );
  await reply.locator("strong", { hasText: "bold" }).waitFor();
  assert.equal(await reply.locator("img, script").count(), 0, "no element from model output");
  assert.match(await reply.textContent(), /<img src=x onerror="window.__xss=1">/);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  const code = reply.getByTestId("code-block");
  await code.locator(".tok-keyword", { hasText: "let" }).waitFor();
  await code.locator(".tok-number", { hasText: "42" }).waitFor();
  await code.locator(".tok-comment", { hasText: "// answer" }).waitFor();

  await code.getByRole("button", { name: "Copy" }).click();
  await code.getByRole("button", { name: "Copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "let n = 42; // answer");

  // The model fails; Retry asks again and the error gives way to the reply.
  await send(page, "[overloaded] tell me more");
  await page.getByTestId("reply-error").getByText("The model provider reported an error.").waitFor();
  await page.getByTestId("reply-error").getByText("The server is overloaded").waitFor();
  await page.getByRole("button", { name: "Retry" }).click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "failed",
  );
  assert.equal(await page.getByTestId("message-assistant").count(), 2, "Retry replaces the failed reply");
  assert.equal(await page.getByTestId("message-user").count(), 2, "and does not repeat the message");

  await page.getByTestId("model-picker").selectOption("demo");
  await page.getByRole("button", { name: "Retry" }).click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "completed",
  );
  await lastReply(page).getByText("demo model", { exact: false }).first().waitFor();
  await lastReply(page).getByRole("button", { name: "Regenerate" }).click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "completed",
  );
  assert.equal(await page.getByTestId("message-assistant").count(), 2);
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("conversations can be renamed, searched by title and deleted; a too-long message is refused before sending", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  await page.getByTestId("model-picker").selectOption("demo");
  for (const text of ["about masts", "about sails"]) {
    await page.getByTestId("new-chat").click();
    await page.getByTestId("chat-empty").getByText("Start a conversation").waitFor();
    await send(page, text);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="message-assistant"]')?.dataset.state === "completed",
    );
  }
  const list = page.getByTestId("conversation-list");
  await list.getByRole("button", { name: "about masts", exact: true }).waitFor();

  const row = list.getByTestId("conversation").filter({ hasText: "about masts" });
  await row.getByRole("button", { name: "Rename" }).click();
  // While edited, the row holds the title in an input (not as text).
  const title = list.getByLabel("Conversation title");
  await title.fill("Hull shapes");
  await title.press("Enter");
  await list.getByRole("button", { name: "Hull shapes", exact: true }).waitFor();

  await page.getByTestId("chat-search").fill("HULL");
  await list.getByRole("button", { name: "about sails", exact: true }).waitFor({ state: "detached" });
  await list.getByRole("button", { name: "Hull shapes", exact: true }).waitFor();
  await page.getByTestId("chat-search").fill("nothing like this");
  await list.getByText("No conversation titles match.").waitFor();
  await page.getByTestId("chat-search").fill("");
  await list.getByRole("button", { name: "about sails", exact: true }).waitFor();

  const sails = list.getByTestId("conversation").filter({ hasText: "about sails" });
  await sails.getByRole("button", { name: "Delete" }).click();
  await sails.getByText("Delete this conversation and its messages?").waitFor();
  await sails.getByRole("button", { name: "Delete" }).last().click();
  await list.getByRole("button", { name: "about sails", exact: true }).waitFor({ state: "detached" });
  await page.getByTestId("chat-empty").waitFor();
  await page.reload();
  await waitForHydration(page);
  await list.getByRole("button", { name: "Hull shapes", exact: true }).waitFor();
  assert.equal(await list.getByRole("button", { name: "about sails", exact: true }).count(), 0, "deleted for good");

  await page.getByRole("textbox", { name: "Message" }).fill("x".repeat(16001));
  await page.getByText("A message can be at most 16,000 characters").waitFor();
  assert.ok(await page.getByTestId("send").isDisabled());
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("searching finds a conversation by something said in it, with the match highlighted", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  await page.getByTestId("model-picker").selectOption("demo");
  for (const [i, text] of ["Tell me about hull shapes", "Why would a dinghy need a centreboard?"].entries()) {
    if (i > 0) await page.getByTestId("new-chat").click();
    await send(page, text);
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "completed",
    );
  }
  const list = page.getByTestId("conversation-list");
  await list.getByTestId("conversation").nth(1).waitFor();
  await page.getByTestId("chat-search").fill("dinghy centre");
  await list.getByTestId("search-snippet").first().waitFor();
  assert.equal(await list.getByTestId("conversation").count(), 1, "only the conversation that said it");
  const marks = await list.getByTestId("search-snippet").locator("mark").allTextContents();
  assert.ok(marks.some((m) => /^dinghy$/i.test(m)) && marks.some((m) => /^centreboard$/i.test(m)), `highlighted: ${marks}`);
  await page.getByTestId("chat-search").fill("");
  await list.getByTestId("conversation").nth(1).waitFor();
  assert.equal(await list.getByTestId("search-snippet").count(), 0, "no snippets without a search");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };

/** Whether `locator` is wholly inside the viewport and not under `cover`. */
async function inView(page, locator, cover) {
  const box = await locator.boundingBox();
  const coverBox = cover ? await cover.boundingBox() : null;
  const size = page.viewportSize();
  return (
    box !== null &&
    box.x >= 0 &&
    box.y >= 0 &&
    box.x + box.width <= size.width &&
    box.y + box.height <= (coverBox ? coverBox.y : size.height)
  );
}

test("the chat fits a 360 px phone with the composer and the last reply's actions visible", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member(PHONE);
  const overflow = () =>
    page.evaluate(() => ({
      x: document.documentElement.scrollWidth - window.innerWidth,
      y: document.documentElement.scrollHeight - window.innerHeight,
    }));
  assert.deepEqual(await overflow(), { x: 0, y: 0 }, "the page itself does not scroll: the thread does");
  assert.equal(await page.locator("footer").isVisible(), false, "no footer under the chat");
  assert.ok(!(await page.getByTestId("conversation-list").isVisible()), "the list folds away");
  // The title has its own line; the picker shows its whole label.
  const title = await page.getByTestId("chat-title").boundingBox();
  assert.ok(title.width >= 300, `the title is not squeezed: ${title.width}px`);
  const picker = page.getByTestId("model-picker");
  await picker.selectOption("demo");
  assert.ok(await inView(page, picker), "the model picker is on screen");
  assert.ok(
    await picker.evaluate((el) => {
      const probe = document.createElement("span");
      probe.style.cssText = getComputedStyle(el).font ? `font: ${getComputedStyle(el).font}; position: absolute; white-space: nowrap` : "";
      probe.textContent = el.selectedOptions[0].textContent;
      document.body.append(probe);
      const fits = probe.getBoundingClientRect().width + 24 <= el.clientWidth;
      probe.remove();
      return fits;
    }),
    "the picker's label is not cut",
  );
  const composer = page.getByTestId("composer");
  assert.ok(await inView(page, composer), "the composer is on screen");
  assert.ok(await inView(page, page.getByTestId("char-count")), "the character counter is whole");
  const placeholder = await page.getByRole("textbox", { name: "Message" }).evaluate((el) => {
    const probe = document.createElement("span");
    probe.style.cssText = `font: ${getComputedStyle(el).font}; position: absolute; white-space: nowrap`;
    probe.textContent = el.placeholder;
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return { width, room: el.clientWidth - 24 };
  });
  assert.ok(placeholder.width <= placeholder.room, `the placeholder fits: ${JSON.stringify(placeholder)}`);

  for (const [i, text] of ["hello from a phone with a wordy message that has to wrap nicely on a narrow screen", "and a second one", "and a third"].entries()) {
    await send(page, text);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('[data-testid="message-assistant"]')].filter((m) => m.dataset.state === "completed").length === n,
      i + 1,
    );
  }
  const reply = lastReply(page);
  await reply.getByRole("button", { name: "Regenerate" }).waitFor();
  await page.waitForTimeout(200);
  assert.ok(await inView(page, reply.getByRole("button", { name: "Copy" }), composer), "Copy is above the composer");
  assert.ok(await inView(page, reply.getByRole("button", { name: "Regenerate" }), composer), "Regenerate is above the composer");
  assert.deepEqual(await overflow(), { x: 0, y: 0 }, "still no page scroll with replies");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("on a phone the conversations drawer closes on Escape, a tap beside it and its close button, and gives focus back", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member(PHONE);
  await page.getByTestId("model-picker").selectOption("demo");
  await send(page, "hello from a phone");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message-assistant"]')?.dataset.state === "completed",
  );
  const list = page.getByTestId("conversation-list");
  const opener = page.getByTestId("open-conversations");
  const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? null);

  await opener.click();
  await list.waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "close-conversations");
  assert.ok(await inView(page, list), "the drawer is on screen");
  assert.equal(await list.getAttribute("role"), "dialog");
  await page.keyboard.press("Escape");
  await list.waitFor({ state: "hidden" });
  assert.equal(await focused(), "open-conversations", "Escape gives focus back to the button");

  await opener.click();
  await list.waitFor();
  await page.getByTestId("drawer-backdrop").click({ position: { x: 340, y: 400 } });
  await list.waitFor({ state: "hidden" });

  await opener.click();
  await page.getByTestId("close-conversations").click();
  await list.waitFor({ state: "hidden" });
  assert.equal(await focused(), "open-conversations");

  await opener.click();
  await list.getByRole("button", { name: /hello from a phone/ }).first().click();
  await list.waitFor({ state: "hidden" });
  await page.getByRole("textbox", { name: "Message" }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("the demo model tells users it is a demo and shows code, a table and a list when asked", { skip: !ENABLED }, async () => {
  const { context, page, problems } = await member();
  await page.getByTestId("model-picker").selectOption("demo");
  await send(page, "Please show code, a table and a list.\nThis second line is quoted too.");
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.dataset.state === "completed",
  );
  const reply = lastReply(page);
  await reply.getByText("This is a demo model; replies are examples.").waitFor();
  assert.ok((await reply.locator("blockquote").innerText()).includes("This second line is quoted too."), "the whole message is quoted");
  await reply.locator("pre code .tok-keyword", { hasText: "fn" }).first().waitFor();
  assert.equal(await reply.locator("table th").first().innerText(), "Plan");
  assert.ok((await reply.locator("ul li").count()) >= 3 && (await reply.locator("ol li").count()) === 3);
  assert.equal(await reply.getByText(/API_KEY|CHAT_MODELS/).count(), 0, "no operator instructions in front of users");
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
