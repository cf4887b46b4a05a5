//! The front door: the REST router (`router`: intake, dispatch, commit, render), the emulator's
//! own admin routes (`admin`), and the web console (`console`).

pub(crate) mod admin;
pub(crate) mod console;
pub(crate) mod router;
