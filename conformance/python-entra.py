"""The official Python SDKs with Microsoft Entra ID against the emulator, unmodified:
azure-identity's ClientSecretCredential with the emulator as its authority (the client secret is
the emulator's access key) authenticates azure-communication-identity's CommunicationIdentityClient,
and get_token_for_teams_user exchanges an emulator-issued Teams user token. Prints one PASS line
per check; exits non-zero on the first failure."""

import base64
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

from azure.communication.identity import CommunicationIdentityClient, CommunicationTokenScope
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential

endpoint = os.environ["AZURE_COMMUNICATION_SERVICE_ENDPOINT"].rstrip("/")
connection_string = os.environ["COMMUNICATION_SAMPLES_CONNECTION_STRING"]
access_key = connection_string.split("accesskey=", 1)[1]
ca_file = os.environ["SSL_CERT_FILE"]


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"PASS {name}")


credential = ClientSecretCredential(
    tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
    client_id="python-conformance",
    client_secret=access_key,
    authority=endpoint,
    # The emulator is not a known Entra cloud: no instance discovery against the public one.
    disable_instance_discovery=True,
)
identity = CommunicationIdentityClient(endpoint, credential)
user, token = identity.create_user_and_token([CommunicationTokenScope.CHAT])
check("entra create_user_and_token", user.properties["id"].startswith("8:acs:") and token.token)
identity.get_token(user, [CommunicationTokenScope.CHAT])
identity.revoke_tokens(user)
identity.delete_user(user)
check("entra get_token, revoke_tokens, delete_user", True)

wrong = ClientSecretCredential(
    tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
    client_id="python-conformance",
    client_secret="d3Jvbmc=",
    authority=endpoint,
    disable_instance_discovery=True,
)
try:
    CommunicationIdentityClient(endpoint, wrong).create_user()
    check("a wrong client secret is refused", False)
except ClientAuthenticationError as e:
    check("a wrong client secret is refused", "7000215" in str(e), str(e)[:200])

# A Teams user's token, from the emulator's password grant (MSAL's sign-in on real Entra).
app_id = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac"
form = urllib.parse.urlencode({
    "grant_type": "password", "client_id": app_id, "username": "alice@contoso.com",
    "password": access_key,
    "scope": "https://auth.msft.communication.azure.com/Teamwork.ManageCalls",
}).encode()
context = ssl.create_default_context(cafile=ca_file)
with urllib.request.urlopen(f"{endpoint}/organizations/oauth2/v2.0/token", form, context=context) as r:
    teams_token = json.load(r)["access_token"]
payload = teams_token.split(".")[1]
oid = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"]

exchanged = identity.get_token_for_teams_user(teams_token, app_id, oid)
check("get_token_for_teams_user", bool(exchanged.token) and exchanged.expires_on is not None)
try:
    identity.get_token_for_teams_user(teams_token, "81e78ca8-ade5-4998-9c05-1e17f850fcfe", oid)
    check("a wrong client id is a 400", False)
except HttpResponseError as e:
    check("a wrong client id is a 400", e.status_code == 400 and "ValidationError" in str(e), str(e)[:200])
try:
    identity.get_token_for_teams_user("invalid", app_id, oid)
    check("an invalid Teams token is a 401", False)
except ClientAuthenticationError as e:
    check("an invalid Teams token is a 401", e.status_code == 401 and "InvalidAccessToken" in str(e), str(e)[:200])
