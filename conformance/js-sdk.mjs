// Drives the official JS SDKs (@azure/communication-chat 1.6.0, api-version 2025-03-15, and
// @azure/communication-identity) against the emulator: every chat operation, two-page listings
// and thread metadata. Env: ACS_CONNECTION_STRING, ACS_ENDPOINT, NODE_EXTRA_CA_CERTS.
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { ChatClient } from "@azure/communication-chat";
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import assert from "node:assert/strict";

const identity = new CommunicationIdentityClient(process.env.ACS_CONNECTION_STRING);
const { user: alice, token } = await identity.createUserAndToken(["chat"]);
const bob = await identity.createUser();
const chat = new ChatClient(process.env.ACS_ENDPOINT, new AzureCommunicationTokenCredential(token));

const created = await chat.createChatThread(
  { topic: "js" },
  { participants: [{ id: bob, displayName: "Bob" }], metadata: { k: "v" }, retentionPolicy: { kind: "none" } },
);
assert.equal(created.invalidParticipants, undefined);
const thread = chat.getChatThreadClient(created.chatThread.id);
const props = await thread.getProperties();
assert.equal(props.topic, "js");
assert.deepEqual(props.metadata, { k: "v" });
await thread.updateTopic("js 2");
await thread.updateProperties({ metadata: { k: "w" } });
assert.equal((await thread.getProperties()).metadata.k, "w");

const ids = [];
for (let i = 0; i < 3; i++) ids.push((await thread.sendMessage({ content: `js ${i}` }, { senderDisplayName: "Alice" })).id);
const got = await thread.getMessage(ids[0]);
assert.equal(got.content.message, "js 0");
assert.equal(got.sender.communicationUserId, alice.communicationUserId);
await thread.updateMessage(ids[0], { content: "edited" });
await thread.deleteMessage(ids[1]);

let pages = 0, messages = 0;
for await (const page of thread.listMessages({ maxPageSize: 2 }).byPage()) { pages++; messages += page.length; }
assert.ok(pages >= 2, `pages ${pages}`);
assert.equal(messages, 6); // 3 texts + participantAdded + 2 topicUpdated

const participants = [];
for await (const p of thread.listParticipants({ maxPageSize: 1 })) participants.push(p);
assert.equal(participants.length, 2);
const carol = await identity.createUser();
const added = await thread.addParticipants({ participants: [{ id: carol }] });
assert.equal(added.invalidParticipants, undefined);
await thread.removeParticipant(carol);
await thread.sendTypingNotification({ senderDisplayName: "Alice" });
await thread.sendReadReceipt({ chatMessageId: ids[2] });
const receipts = [];
for await (const r of thread.listReadReceipts()) receipts.push(r);
assert.equal(receipts.length, 1);

// The emulator's fault rules: the next send is throttled (429, Retry-After: 1) once; the SDK's
// retry policy waits and sends again, and the message is there once.
const accessKey = /accesskey=([^;]+)/i.exec(process.env.ACS_CONNECTION_STRING)[1];
const entra = await fetch(`${process.env.ACS_ENDPOINT}/tests/oauth2/v2.0/token`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({
    grant_type: "client_credentials",
    client_id: "conformance",
    client_secret: accessKey,
    scope: "https://communication.azure.com//.default",
  }),
}).then((r) => r.json());
const admin = (method, body) =>
  fetch(`${process.env.ACS_ENDPOINT}/emulator/faults`, {
    method,
    headers: { authorization: `Bearer ${entra.access_token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
const rule = { route: "POST /chat/threads/*/messages", fault: "throttle", retryAfterSeconds: 1, times: 1 };
assert.equal((await admin("PUT", { rules: [rule] })).status, 200);
const started = Date.now();
const throttled = await thread.sendMessage({ content: "after a 429" });
assert.ok(Date.now() - started >= 1000, "Retry-After was not waited");
assert.equal((await thread.getMessage(throttled.id)).content.message, "after a 429");
assert.equal((await admin("DELETE")).status, 204);
console.log("js-sdk: a throttled send was retried after Retry-After");

let threads = 0;
for await (const t of chat.listChatThreads({ maxPageSize: 1 })) threads++;
assert.equal(threads, 1);
await chat.deleteChatThread(created.chatThread.id);
await identity.revokeTokens(alice);
await assert.rejects(chat.listChatThreads().next(), (e) => e.statusCode === 401);
await identity.deleteUser(alice);
await identity.deleteUser(bob);
await identity.deleteUser(carol);
console.log("js-sdk: every chat and identity operation passed");
