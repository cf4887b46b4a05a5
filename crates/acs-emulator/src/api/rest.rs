//! Requests as the handlers see them, responses, and the one error body shape.

pub(crate) use crate::domain::Change;
use crate::wire::CommunicationError;
use bytes::Bytes;
use hyper::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

/// An error reply: always `{"error":{"code","message","target"?,"details"?}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) target: Option<String>,
    pub(crate) details: Vec<CommunicationError>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "Unauthorized", message)
    }
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }
    pub(crate) fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
    /// A 400 for a violated limit, with the limit in `details`.
    pub(crate) fn limit(target: &str, message: String) -> Self {
        let detail = CommunicationError {
            code: "LimitExceeded".into(),
            message: message.clone(),
            target: Some(target.to_string()),
            ..Default::default()
        };
        ApiError {
            details: vec![detail],
            ..Self::bad_request(message).with_target(target)
        }
    }

    /// The reply as the chat service writes its 400, 403 and 404 errors (every recording of one,
    /// across the official SDKs' test suites): `{"CommunicationError": {"Code", "Message",
    /// "Details": []}}`, Pascal-case, indented by two spaces with CRLF line ends, no `Target`,
    /// and no `Message` when there is none (a malformed thread id). Other statuses (401, 429,
    /// ...) keep the spec's `{"error": ...}`.
    pub(crate) fn into_chat_reply(self) -> Reply {
        if !matches!(self.status, 400 | 403 | 404) {
            return self.into_reply();
        }
        let body = crate::wire::ChatErrorBody::new(&self.code, &self.message, &self.details);
        let text = serde_json::to_string_pretty(&body)
            .unwrap_or_default()
            .replace('\n', "\r\n");
        Reply {
            status: self.status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(text),
            changes: Vec::new(),
        }
    }

    /// The reply in the REST spec's error envelope, `{"error": {"code", "message", "target"?,
    /// "details"?}}` (the identity service's, and the chat service's 401 and 429).
    pub(crate) fn into_reply(self) -> Reply {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(target) = self.target {
            error["target"] = json!(target);
        }
        if !self.details.is_empty() {
            error["details"] = serde_json::to_value(&self.details).unwrap_or_default();
        }
        // The service's error bodies say `application/json`, without the charset its successes
        // carry.
        Reply {
            status: self.status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(serde_json::to_vec(&json!({ "error": error })).unwrap_or_default()),
            changes: Vec::new(),
        }
    }
}

/// A response.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
    /// What the request changed (empty for reads and for writes that changed nothing).
    pub(crate) changes: Vec<Change>,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &impl Serialize) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/json; charset=utf-8".into())],
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            changes: Vec::new(),
        }
    }
    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            changes: Vec::new(),
        }
    }
    pub(crate) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
    /// Reports what the request changed.
    pub(crate) fn changed(mut self, change: Change) -> Self {
        self.changes.push(change);
        self
    }
}

/// Handler result.
pub(crate) type Result<T, E = ApiError> = std::result::Result<T, E>;

/// `k=v&k2=v2` pairs, percent-decoded (a query string; a form body with `plus_as_space`).
pub(crate) fn decode_pairs(text: &str, plus_as_space: bool) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = if plus_as_space {
            std::borrow::Cow::Owned(s.replace('+', " "))
        } else {
            std::borrow::Cow::Borrowed(s)
        };
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// A request, already read.
pub(crate) struct Req {
    pub(crate) method: hyper::Method,
    /// The request-target exactly as received (what HMAC signatures cover).
    pub(crate) target: String,
    /// Path segments, percent-decoded one by one.
    pub(crate) segments: Vec<String>,
    /// Query pairs, percent-decoded.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `scheme://host:port` of this emulator (its configured endpoint, never the request's
    /// `Host`), for absolute links.
    pub(crate) base_url: String,
}

impl Req {
    /// A request to `target` (path and query, exactly as received: what HMAC signatures cover),
    /// its path segments and query pairs percent-decoded one by one; `base_url` is the emulator's
    /// own, for absolute links.
    pub(crate) fn new(
        method: hyper::Method,
        target: String,
        headers: HeaderMap,
        body: Bytes,
        base_url: &str,
    ) -> Req {
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let query = decode_pairs(query, false);
        Req {
            method,
            segments,
            query,
            target,
            headers,
            body,
            base_url: base_url.to_string(),
        }
    }

    /// A request as hyper read it, with its body.
    pub(crate) fn from_parts(
        parts: hyper::http::request::Parts,
        body: Bytes,
        base_url: &str,
    ) -> Req {
        let target = parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Req::new(parts.method, target, parts.headers, body, base_url)
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The api-version, which must be one of `supported`.
    pub(crate) fn api_version(&self, supported: &[&str]) -> Result<String> {
        let version = self.query("api-version").ok_or_else(|| {
            ApiError::new(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter is required.",
            )
        })?;
        if supported.contains(&version) {
            Ok(version.to_string())
        } else {
            Err(ApiError::new(
                400,
                "UnsupportedApiVersion",
                format!(
                    "api-version {version} is not supported; supported: {}",
                    supported.join(", ")
                ),
            ))
        }
    }

    fn check_content_type(&self, accepted: &[&str]) -> Result<()> {
        let content_type = self.header("content-type").unwrap_or("");
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if accepted.contains(&media.as_str()) {
            Ok(())
        } else {
            Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "Content-Type `{content_type}` is not supported; use {}",
                    accepted.join(" or ")
                ),
            ))
        }
    }

    /// The JSON body (required).
    pub(crate) fn json<T: DeserializeOwned>(&self, accepted: &[&str]) -> Result<T> {
        if self.body.is_empty() {
            return Err(ApiError::bad_request("A request body is required."));
        }
        self.check_content_type(accepted)?;
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::new(
                400,
                "InvalidRequestBody",
                format!("The request body is invalid: {e}"),
            )
        })
    }

    /// The JSON body, or the default when there is none.
    pub(crate) fn optional_json<T: DeserializeOwned + Default>(
        &self,
        accepted: &[&str],
    ) -> Result<T> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(T::default())
        } else {
            self.json(accepted)
        }
    }
}

pub(crate) const JSON: &[&str] = &["application/json"];
pub(crate) const PATCH_JSON: &[&str] = &["application/merge-patch+json", "application/json"];
