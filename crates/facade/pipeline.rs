//! The request pipeline: request id, user agent, authorization per attempt, retries, budget.

use super::token_credential::CommunicationTokenCredential;
use crate::rt::{self, maybe_async};
use acs_chat_core::auth::signature_headers;
use acs_chat_core::http::{Exchange, SendError};
use acs_chat_core::requests::service_error;
use acs_chat_core::retry::{self, RetryDecision};
use acs_chat_core::{
    AccessKey, ClientMethodOptions, ClientOptions, Endpoint, Error, HttpRequest, ResponseHook,
    ResponseMetadata, Result, RetryOptions,
};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How requests are authorized.
pub(crate) enum Auth {
    /// `Authorization: Bearer <user token>` (chat).
    Bearer(CommunicationTokenCredential),
    /// HMAC-SHA256 with the resource access key (identity).
    Key(AccessKey),
}

pub(crate) struct Pipeline {
    /// Shared with every client made with the same `ClientOptions::transport` (or by
    /// `with_credential`).
    transport: Arc<rt::Transport>,
    /// The only endpoint `auth` is sent to.
    endpoint: Endpoint,
    auth: Auth,
    retry: RetryOptions,
    timeout: Duration,
    user_agent: String,
}

/// One operation in progress: its request, ids, attempts, budget and tracing span. The span
/// (`acs_chat.operation`) lives as long as the call, so its duration is the operation's.
pub(crate) struct Call {
    request: HttpRequest,
    client_request_id: String,
    attempts: u32,
    deadline: Instant,
    budget: Duration,
    on_response: Option<ResponseHook>,
    span: tracing::Span,
}

impl Call {
    /// When the operation's budget ends.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    fn timed_out(&self) -> Error {
        // Retryable only if repeating it cannot act twice: it is safe to repeat, or no attempt
        // before this one (counted, never sent) was made.
        let sent = self.attempts > 1;
        Error::timeout(
            self.request.operation,
            self.budget,
            self.attempts,
            retry::caller_may_resend_after_failure(self.request.replay, sent),
        )
    }
}

/// What one attempt came to.
pub(crate) enum Step {
    /// The final outcome.
    Done(Result<Exchange>),
    /// Safe to send again after this wait.
    Retry(Duration),
    /// The attempt may have taken effect: find out; if it did not, wait this long and send again.
    Reconcile { delay: Duration, error: Error },
}

impl Pipeline {
    pub(crate) fn new(
        auth: Auth,
        endpoint: &Endpoint,
        options: &ClientOptions,
        operation: &'static str,
    ) -> Result<Self> {
        Ok(Pipeline {
            transport: super::transport::of(options, operation)?,
            endpoint: endpoint.clone(),
            auth,
            retry: options.retry.clone(),
            timeout: options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT),
            user_agent: options.user_agent(rt::FACADE),
        })
    }

    /// The same pipeline (transport, endpoint, retry policy, timeouts) authorizing with `auth`.
    pub(crate) fn with_auth(&self, auth: Auth) -> Pipeline {
        Pipeline {
            transport: self.transport.clone(),
            endpoint: self.endpoint.clone(),
            auth,
            retry: self.retry.clone(),
            timeout: self.timeout,
            user_agent: self.user_agent.clone(),
        }
    }

    /// Starts an operation. The same `x-ms-client-request-id` (the caller's or a fresh one,
    /// and any `repeatability-request-id`) goes out on every attempt. `deadline` defaults to now
    /// plus `RetryOptions::max_total_elapsed`, cut to the call's own `timeout`; a lookup inside
    /// another operation passes that one's.
    pub(crate) fn call(
        &self,
        mut request: HttpRequest,
        deadline: Option<Instant>,
        method: &ClientMethodOptions,
    ) -> Result<Call> {
        method.validate(request.operation)?;
        for (name, value) in &method.headers {
            request.set_header(name, value.clone());
        }
        // The request id and user agent go beside the request (see `attempt`), not into it.
        let client_request_id = method
            .client_request_id
            .clone()
            .unwrap_or_else(acs_chat_core::http::new_request_id);
        let budget = method.timeout.map_or(self.retry.max_total_elapsed, |t| {
            t.min(self.retry.max_total_elapsed)
        });
        let deadline = deadline.unwrap_or_else(|| Instant::now() + budget);
        // Fields only: never a header or a body. The query is left out of the URL.
        let span = tracing::debug_span!(
            "acs_chat.operation",
            operation = request.operation,
            method = request.method.as_str(),
            url = request.url.without_query(),
            client_request_id = client_request_id.as_str(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        Ok(Call {
            request,
            client_request_id,
            attempts: 0,
            deadline,
            budget,
            on_response: method.on_response.clone(),
            span,
        })
    }
}

#[maybe_async]
impl Pipeline {
    /// Sends a request, retrying per the core schedule within the operation's budget.
    pub(crate) async fn send(
        &self,
        request: HttpRequest,
        method: &ClientMethodOptions,
    ) -> Result<Exchange> {
        let mut call = self.call(request, None, method)?;
        self.run(&mut call).await
    }

    /// Runs a call to its outcome. An attempt that needs reconciling ends the call with its
    /// error: without a way to look the outcome up, sending again could act twice.
    pub(crate) async fn run(&self, call: &mut Call) -> Result<Exchange> {
        loop {
            match self.attempt(call).await {
                Step::Done(outcome) => return outcome,
                Step::Retry(delay) => rt::sleep(delay).await,
                Step::Reconcile { error, .. } => return Err(error),
            }
        }
    }

    /// Makes one attempt and decides what follows it.
    pub(crate) async fn attempt(&self, call: &mut Call) -> Step {
        call.attempts += 1;
        let attempt = call.attempts;
        let operation = call.request.operation;
        if call.remaining().is_zero() {
            return Step::Done(Err(call.timed_out()));
        }
        // The rule of `acs_chat_core::endpoint`, checked where the credential is attached: every
        // request URL is an `EndpointUrl`, and this one must be on this client's endpoint.
        if !self.endpoint.owns(&call.request.url) {
            return Step::Done(Err(Error::invalid_endpoint(
                call.request.url.without_query(),
                format!("not on the client's endpoint `{}`", self.endpoint.as_str()),
            )));
        }
        // Authorization goes beside the request, not into a copy of it: it changes per attempt.
        let authorization = match self.authorize(&call.request, call.remaining()).await {
            Ok(headers) => headers,
            Err(e) => return Step::Done(Err(e)),
        };
        let timeout = self.timeout.min(call.remaining());
        if timeout.is_zero() {
            return Step::Done(Err(call.timed_out()));
        }
        let fixed = [
            ("x-ms-client-request-id", call.client_request_id.as_str()),
            ("user-agent", self.user_agent.as_str()),
        ];
        let sent = self
            .transport
            .send(&call.request, &fixed, &authorization, timeout)
            .await;
        let (decision, outcome) = match sent {
            Ok(response) => {
                let decision = retry::after_response(
                    &self.retry,
                    &call.request,
                    &response,
                    attempt,
                    call.remaining(),
                );
                let exchange = Exchange {
                    operation,
                    expected_status: call.request.expected_status,
                    response,
                    attempts: attempt,
                    // Filled in below, only when the exchange outlives the attempt.
                    client_request_id: None,
                    replay: call.request.replay,
                };
                (decision, Ok(exchange))
            }
            Err(SendError::TooLarge(limit)) => {
                return Step::Done(Err(Error::response_too_large(operation, limit)))
            }
            Err(SendError::SecretsWouldBeLogged(target)) => {
                return Step::Done(Err(Error::secrets_would_be_logged(operation, target)))
            }
            Err(SendError::Transport(kind, source)) => {
                let decision = retry::after_transport_error(
                    &self.retry,
                    &call.request,
                    kind,
                    attempt,
                    call.remaining(),
                );
                let retryable = retry::caller_may_resend_after_failure(
                    call.request.replay,
                    kind.may_have_been_sent(),
                );
                let error = Error::transport(operation, kind, attempt, retryable, source);
                (decision, Err(error))
            }
        };
        // Never log headers or bodies: they carry the token, the HMAC signature, user content.
        let status = match &outcome {
            Ok(exchange) => exchange.response.status,
            Err(_) => 0,
        };
        call.span.record("attempts", attempt);
        if status != 0 {
            call.span.record("status", status);
        }
        let with_id = |exchange: Exchange, id: String| Exchange {
            client_request_id: Some(id),
            ..exchange
        };
        match decision {
            RetryDecision::Stop => {
                tracing::debug!(parent: &call.span, attempt, status, "{operation}: done");
                // The call ends here: its id moves into the outcome.
                let id = std::mem::take(&mut call.client_request_id);
                let outcome = outcome.map(|exchange| with_id(exchange, id));
                if let (Some(hook), Ok(exchange)) = (&call.on_response, &outcome) {
                    hook.call(&ResponseMetadata::of(exchange));
                }
                Step::Done(outcome)
            }
            RetryDecision::RetryAfter(delay) => {
                tracing::warn!(parent: &call.span, attempt, status, ?delay, "{operation}: attempt failed; retrying");
                Step::Retry(delay)
            }
            RetryDecision::ReconcileThenRetry(delay) => {
                tracing::warn!(parent: &call.span, attempt, status, "{operation}: attempt may have taken effect; looking it up");
                let error = match outcome {
                    Ok(exchange) => {
                        service_error(&with_id(exchange, call.client_request_id.clone()))
                    }
                    Err(error) => error,
                };
                Step::Reconcile { delay, error }
            }
        }
    }

    /// The headers that authorize one attempt of `request`.
    async fn authorize(
        &self,
        request: &HttpRequest,
        budget: Duration,
    ) -> Result<Vec<(&'static str, String)>> {
        match &self.auth {
            Auth::Bearer(credential) => {
                let token = credential.get_token_within(budget).await?;
                Ok(vec![(
                    "authorization",
                    format!("Bearer {}", token.token.expose()),
                )])
            }
            Auth::Key(key) => signature_headers(request, key, SystemTime::now()),
        }
    }
}
