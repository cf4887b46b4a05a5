//! The request pipeline: request id, user agent, authorization per attempt, retries.

use super::token_credential::CommunicationTokenCredential;
use crate::rt::{self, maybe_async};
use acs_chat_core::auth::sign_request;
use acs_chat_core::http::Exchange;
use acs_chat_core::retry::{self, RetryDecision};
use acs_chat_core::{AccessKey, ClientOptions, Error, HttpRequest, Result, RetryOptions};
use std::time::SystemTime;

/// How requests are authorized.
pub(crate) enum Auth {
    /// `Authorization: Bearer <user token>` (chat).
    Bearer(CommunicationTokenCredential),
    /// HMAC-SHA256 with the resource access key (identity).
    Key(AccessKey),
}

pub(crate) struct Pipeline {
    transport: rt::Transport,
    auth: Auth,
    retry: RetryOptions,
    user_agent: String,
}

impl Pipeline {
    pub(crate) fn new(auth: Auth, options: &ClientOptions) -> Result<Self> {
        Ok(Pipeline {
            transport: rt::Transport::new(options)?,
            auth,
            retry: options.retry.clone(),
            user_agent: options.user_agent(rt::FACADE),
        })
    }
}

#[maybe_async]
impl Pipeline {
    /// Sends a request, retrying per the core schedule. The same `x-ms-client-request-id` (and any
    /// `repeatability-request-id`) goes out on every attempt; authorization is renewed per attempt.
    pub(crate) async fn send(&self, mut request: HttpRequest) -> Result<Exchange> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        request.set_header("x-ms-client-request-id", client_request_id.clone());
        request.set_header("user-agent", self.user_agent.clone());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut signed = request.clone();
            self.authorize(&mut signed).await?;
            let decision = match self.transport.send(&signed).await {
                Ok(response) => {
                    match retry::after_response(&self.retry, &request, &response, attempt) {
                        RetryDecision::Stop => {
                            log::debug!(
                                "{} {} {} -> {} (attempts: {attempt}, x-ms-client-request-id {client_request_id})",
                                request.operation,
                                request.method.as_str(),
                                request.url,
                                response.status
                            );
                            return Ok(Exchange {
                                operation: request.operation,
                                expected_status: request.expected_status,
                                response,
                                attempts: attempt,
                                client_request_id: Some(client_request_id),
                            });
                        }
                        retry => retry,
                    }
                }
                Err((kind, source)) => {
                    match retry::after_transport_error(&self.retry, &request, kind, attempt) {
                        RetryDecision::Stop => {
                            return Err(Error::Transport {
                                operation: request.operation,
                                kind,
                                attempts: attempt,
                                source,
                            })
                        }
                        retry => retry,
                    }
                }
            };
            if let RetryDecision::RetryAfter(delay) = decision {
                // Never log headers: they carry the token or the HMAC signature.
                log::warn!(
                    "{}: attempt {attempt} failed; retrying in {delay:?} (x-ms-client-request-id {client_request_id})",
                    request.operation
                );
                rt::sleep(delay).await;
            }
        }
    }

    async fn authorize(&self, request: &mut HttpRequest) -> Result<()> {
        match &self.auth {
            Auth::Bearer(credential) => {
                let token = credential.get_token().await?;
                request.set_header("authorization", format!("Bearer {}", token.token.expose()));
                Ok(())
            }
            Auth::Key(key) => sign_request(request, key, SystemTime::now()),
        }
    }
}
