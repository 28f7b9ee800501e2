//! The estate format: YAML files -> merged, defaulted, validated `Estate`, with located diagnostics.
