//! The front door: the REST router (`router`: intake, dispatch, commit, render), the emulator's
//! own admin routes (`admin`), the unauthenticated health and CA routes (`health`), and the web
//! console (`console`).

pub(crate) mod admin;
pub(crate) mod console;
mod health;
pub(crate) mod in_process;
pub(crate) mod router;
