//! The JSON Schema (draft 2020-12) of the estate format: what `aksctl schema` prints for editors,
//! and what `check` validates the located YAML tree against before typed conversion. It covers
//! structure (fields, types, enums, exclusive choices); naming rules, references and cross-field
//! rules stay in `validate`, which reports them with better hints.

use serde_json::{json, Map, Value};

use crate::spec::types::{API_VERSION, KIND};

mod builders;
mod checks;
mod definitions;

use builders::{named_list, object, reference, string};

/// The `$id` of the schema.
pub const SCHEMA_ID: &str = "https://aksctl.dev/schemas/estate-v1alpha1.json";

/// The whole schema.
pub fn estate_schema() -> Value {
    let mut definitions = Map::new();
    for (name, definition) in definitions::definitions_list()
        .into_iter()
        .chain(checks::definitions())
    {
        definitions.insert(name.to_string(), definition);
    }
    let mut root = object(
        "An aksctl estate: every Azure resource of one AKS platform, in one subscription.",
        &["apiVersion", "kind", "metadata", "subscription", "location"],
        vec![
            (
                "apiVersion",
                json!({"const": API_VERSION, "description": "Format version."}),
            ),
            ("kind", json!({"const": KIND})),
            ("metadata", reference("Metadata")),
            (
                "subscription",
                string("Subscription id (GUID), literal or `${ENV_VAR}`."),
            ),
            (
                "tenantId",
                string("Entra tenant id; defaults to the credential's tenant."),
            ),
            ("location", string("Default Azure region, e.g. `eastus2`.")),
            ("tags", reference("Tags")),
            ("resourceGroups", named_list("ResourceGroup")),
            ("registries", named_list("Registry")),
            ("keyVaults", named_list("KeyVault")),
            ("storageAccounts", named_list("StorageAccount")),
            ("clusters", named_list("Cluster")),
            ("identities", named_list("Identity")),
            ("roleAssignments", named_list("RoleAssignment")),
            ("checks", reference("Checks")),
        ],
    );
    if let Value::Object(root) = &mut root {
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("$id".into(), json!(SCHEMA_ID));
        root.insert("title".into(), json!("aksctl estate"));
        root.insert("$defs".into(), Value::Object(definitions));
    }
    root
}
