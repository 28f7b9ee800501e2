//! The ARM client: credentials, HTTP pipeline, retries, paging and long-running operations.
