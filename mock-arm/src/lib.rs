//! mock-arm
