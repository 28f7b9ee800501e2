//! Diff: desired vs live per kind, declared fields only, normalized as ARM normalizes; actions with reasons.
