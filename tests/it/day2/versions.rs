//! The Kubernetes version workflow (issue 13, version rows).
