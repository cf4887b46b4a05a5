//! Console sessions: opened with the access key, kept in memory, named by an HttpOnly,
//! SameSite=Strict cookie (so another site cannot post forms with it).

use crate::api::rest::Req;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

const COOKIE: &str = "acs_console";
/// The most sessions kept; signing in past it ends the oldest.
const MAX_SESSIONS: usize = 256;

#[derive(Default)]
pub(crate) struct Sessions {
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Sessions {
    /// A `name=value` cookie for a new session if `key` is the access key.
    pub(crate) fn sign_in(&self, access_key: &[u8], key: &str) -> Option<String> {
        let given = STANDARD.decode(key.trim()).ok()?;
        if !same(&given, access_key) {
            return None;
        }
        let id = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.order.len() >= MAX_SESSIONS {
            if let Some(oldest) = open.order.pop_front() {
                open.ids.remove(&oldest);
            }
        }
        open.ids.insert(id.clone());
        open.order.push_back(id.clone());
        Some(format!("{COOKIE}={id}"))
    }

    pub(crate) fn signed_in(&self, req: &Req) -> bool {
        session(req).is_some_and(|id| {
            self.open
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .ids
                .contains(id)
        })
    }

    pub(crate) fn sign_out(&self, req: &Req) {
        if let Some(id) = session(req) {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            open.ids.remove(id);
            open.order.retain(|o| o != id);
        }
    }
}

/// A cookie that clears the session's.
pub(crate) fn expired() -> String {
    format!("{COOKIE}=; Max-Age=0")
}

fn session(req: &Req) -> Option<&str> {
    req.headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
