//! Leaf helpers with no knowledge of the service: redacting secrets in URLs (`redact`) and
//! creating the data dir's files with the right permissions (`data_dir`).

pub(crate) mod data_dir;
pub(crate) mod redact;
