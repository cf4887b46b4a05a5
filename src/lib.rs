//! Examples and end-to-end tests of the acs-chat workspace live in `examples/` and `tests/`.
#![doc = include_str!("../README.md")]
