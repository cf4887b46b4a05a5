//! Leaf helpers with no knowledge of the service: redacting secrets in URLs (`redact`),
//! creating the data dir's files with the right permissions (`data_dir`), and seeded randomness
//! (`random`).

pub(crate) mod data_dir;
pub(crate) mod random;
pub(crate) mod redact;
