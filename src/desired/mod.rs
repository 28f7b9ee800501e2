//! Desired state: the estate lowered to ARM bodies per resource, with unknowns and dependencies.
