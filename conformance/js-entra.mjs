// Entra ID with the official JS SDKs against the emulator: @azure/identity's
// ClientSecretCredential (the emulator as authority host) authenticates
// @azure/communication-identity; getTokenForTeamsUser with a good and a bad token.
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { ClientSecretCredential } from "@azure/identity";
import assert from "node:assert/strict";

const endpoint = process.env.ACS_ENDPOINT.replace(/\/$/, "");
const key = process.env.ACS_CONNECTION_STRING.split("accesskey=")[1];
const credential = new ClientSecretCredential("72f988bf-86f1-41af-91ab-2d7cd011db47", "js-conformance", key, {
  authorityHost: endpoint,
  disableInstanceDiscovery: true,
});
const identity = new CommunicationIdentityClient(endpoint, credential);
const { user, token } = await identity.createUserAndToken(["chat"]);
assert.ok(user.communicationUserId.startsWith("8:acs:") && token);
await identity.revokeTokens(user);
await identity.deleteUser(user);

const appId = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
const form = new URLSearchParams({ grant_type: "password", client_id: appId, username: "alice@contoso.com",
  password: key, scope: "https://auth.msft.communication.azure.com/Teamwork.ManageCalls" });
const answer = await fetch(`${endpoint}/organizations/oauth2/v2.0/token`, { method: "POST", body: form });
const teamsToken = (await answer.json()).access_token;
const oid = JSON.parse(Buffer.from(teamsToken.split(".")[1], "base64url").toString()).oid;
const exchanged = await identity.getTokenForTeamsUser({ teamsUserAadToken: teamsToken, clientId: appId, userObjectId: oid });
assert.ok(exchanged.token);
await assert.rejects(
  identity.getTokenForTeamsUser({ teamsUserAadToken: "invalid", clientId: appId, userObjectId: oid }),
  (e) => e.statusCode === 401 && e.code === "InvalidAccessToken",
);
await assert.rejects(
  identity.getTokenForTeamsUser({ teamsUserAadToken: teamsToken, clientId: "81e78ca8-ade5-4998-9c05-1e17f850fcfe", userObjectId: oid }),
  (e) => e.statusCode === 400 && e.code === "ValidationError",
);
console.log("js-entra: Entra ID and the Teams exchange passed");
