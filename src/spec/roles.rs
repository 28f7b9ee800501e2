//! Built-in Azure role names and their role definition GUIDs, and the parsing of a role as the
//! estate writes it (name, GUID or role definition id) into a GUID.

/// Built-in roles aksctl knows by name, with their role definition GUIDs (same in every cloud).
pub const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d"),
    ("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec"),
    (
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
    ),
    (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    ),
    (
        "Key Vault Administrator",
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    ),
    (
        "Storage Blob Data Contributor",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    ),
    (
        "Storage Blob Data Reader",
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    ),
    (
        "Azure Kubernetes Service RBAC Cluster Admin",
        "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    ),
    (
        "Azure Kubernetes Service RBAC Admin",
        "3498e952-d568-435e-9b2c-8d77e338d7f7",
    ),
    (
        "Azure Kubernetes Service RBAC Reader",
        "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    ),
    (
        "Azure Kubernetes Service Cluster User Role",
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    ),
    (
        "Azure Kubernetes Service Cluster Admin Role",
        "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    ),
    (
        "Azure Kubernetes Service Contributor Role",
        "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    ),
    (
        "Network Contributor",
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
    ),
    (
        "Managed Identity Operator",
        "f1a07417-d97a-45cb-824c-7a7467783830",
    ),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

/// The GUID of a built-in role by name (case-insensitive), if aksctl knows it.
pub fn built_in_role_guid(name: &str) -> Option<&'static str> {
    BUILT_IN_ROLES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))
        .map(|(_, guid)| *guid)
}

/// The built-in role name of a GUID (case-insensitive), if aksctl knows it.
pub fn built_in_role_name(guid: &str) -> Option<&'static str> {
    BUILT_IN_ROLES
        .iter()
        .find(|(_, known)| known.eq_ignore_ascii_case(guid.trim()))
        .map(|(name, _)| *name)
}

/// The role definition GUID (lower case) a role in the estate means: a known built-in name, a
/// bare GUID, or a role definition id ending in `/roleDefinitions/{guid}`. `None` if it is none of
/// these (validation reports it).
pub fn role_definition_guid(role: &str) -> Option<String> {
    let role = role.trim();
    if let Some(guid) = built_in_role_guid(role) {
        return Some(guid.to_string());
    }
    if is_guid(role) {
        return Some(role.to_ascii_lowercase());
    }
    let lower = role.to_ascii_lowercase();
    let marker = "/providers/microsoft.authorization/roledefinitions/";
    let at = lower.find(marker)?;
    let guid = &role[at + marker.len()..];
    is_guid(guid).then(|| guid.to_ascii_lowercase())
}

/// Whether `text` is a GUID in the 8-4-4-4-12 hex form.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups.iter().zip(lengths).all(|(group, length)| {
            group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// Built-in role names closest to `name`, for "did you mean" hints.
pub fn closest_role_names(name: &str) -> Vec<&'static str> {
    crate::spec::suggest::closest(name, BUILT_IN_ROLES.iter().map(|(known, _)| *known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_guids_and_ids_resolve() {
        assert_eq!(
            role_definition_guid("acrpull").as_deref(),
            Some("7f951dda-4ed3-4680-a7ca-43fe172d538d")
        );
        assert_eq!(
            role_definition_guid("4633458B-17de-408a-b874-0445c86b69e6").as_deref(),
            Some("4633458b-17de-408a-b874-0445c86b69e6")
        );
        assert_eq!(
            role_definition_guid("/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe").as_deref(),
            Some("ba92f5b4-2d11-453d-a403-e96b0029c9fe")
        );
        assert_eq!(role_definition_guid("Key Vault Secret User"), None);
        assert_eq!(
            built_in_role_name("7F951DDA-4ed3-4680-a7ca-43fe172d538d"),
            Some("AcrPull")
        );
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("00000000-0000-0000-0000-000000000000"));
        assert!(!is_guid("00000000-0000-0000-0000-00000000000"));
        assert!(!is_guid("0000000g-0000-0000-0000-000000000000"));
    }
}
