//! POST actions on resources that hand out credentials: AKS kubeconfigs, ACR admin
//! credentials and storage account keys (fake, deterministic per resource).

use serde_json::{json, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::World;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let bytes = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let triple = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(
                    BASE64[((triple >> (18 - 6 * index)) & 0x3f) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn kubeconfig(cluster: &Value, user: &str) -> String {
    let name = json::str_at(cluster, "/name").unwrap_or("cluster");
    let server = json::str_at(cluster, "/properties/fqdn")
        .or_else(|| json::str_at(cluster, "/properties/privateFQDN"))
        .unwrap_or("localhost");
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: bW9jay1hcm0tY2E=\n    server: https://{server}:443\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {user}_{name}\n  name: {name}\ncurrent-context: {name}\nusers:\n- name: {user}_{name}\n  user:\n    token: mock-arm-token\n"
    )
}

pub fn action(world: &World, request: &Request, path: &ResourcePath, action: &str) -> Outcome {
    let resource = parents::existing(world, path)?;
    let body = &resource.body;
    let unsupported = || {
        ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The action '{action}' on '{}' is not supported by mock-arm.",
                path.kind.arm_type()
            ),
        )
    };
    match (path.kind, action.to_ascii_lowercase().as_str()) {
        (
            Kind::ManagedCluster,
            "listclusterusercredential"
            | "listclusteradmincredential"
            | "listclustermonitoringusercredential",
        ) => {
            let admin = action.eq_ignore_ascii_case("listClusterAdminCredential");
            if admin && json::bool_at(body, "/properties/disableLocalAccounts") == Some(true) {
                return Err(ArmError::bad_request("BadRequest", "Getting static credential is not allowed because this cluster is set to disable local accounts."));
            }
            let user = if admin { "clusterAdmin" } else { "clusterUser" };
            Ok(Reply::ok(
                json!({ "kubeconfigs": [{ "name": user, "value": base64(kubeconfig(body, user).as_bytes()) }] }),
            ))
        }
        (Kind::Registry, "listcredentials") => {
            if json::bool_at(body, "/properties/adminUserEnabled") != Some(true) {
                return Err(ArmError::bad_request(
                    "AdminUserDisabled",
                    "The admin user is disabled for this registry.",
                ));
            }
            let name = path.name();
            Ok(Reply::ok(json!({
                "username": name,
                "passwords": [{ "name": "password", "value": format!("mock-{}", json::random_hex(20)) }, { "name": "password2", "value": format!("mock-{}", json::random_hex(20)) }],
            })))
        }
        (Kind::StorageAccount, "listkeys") => {
            let created = json::at(body, "/properties/creationTime")
                .cloned()
                .unwrap_or(Value::Null);
            let key = |name: &str| json!({ "keyName": name, "value": base64(format!("mock-arm-{}-{name}", path.name()).as_bytes()), "permissions": "FULL", "creationTime": created });
            Ok(Reply::ok(json!({ "keys": [key("key1"), key("key2")] })))
        }
        _ => {
            let _ = request;
            Err(unsupported())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_base64() {
        assert_eq!(super::base64(b"hello"), "aGVsbG8=");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
    }
}
