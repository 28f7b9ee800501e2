//! Snapshots of the text, JSON and markdown renderings of one representative plan (create with
//! values known after apply, update in place, replace, delete, a not-managed notice), plus the
//! no-change forms. The plan is built by the planner from hand-made desired and live states so
//! the snapshots carry no random ids.

use serde_json::{json, Value};

use aksctl::desired::{DesiredResource, DesiredState};
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use aksctl::live::LiveState;
use aksctl::plan::{Deferred, Plan};
use aksctl::planner::{self, PlanOptions};
use aksctl::render::plan_text::Style;
use aksctl::render::{plan_json, plan_markdown, plan_text};

const SUB: &str = "00000000-0000-0000-0000-00000000c0de";

fn tags() -> Value {
    json!({"aksctl-estate": "demo", "managed-by": "aksctl", "team": "platform"})
}

fn resource(
    address: &str,
    kind: Kind,
    id: &ResourceId,
    body: Value,
    depends_on: &[&str],
) -> DesiredResource {
    DesiredResource {
        address: address.to_owned(),
        kind,
        id: id.clone(),
        body,
        deferred: Vec::new(),
        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
    }
}

fn live_body(id: &ResourceId, kind: Kind, body: Value) -> Value {
    let mut body = body;
    body["id"] = json!(id.as_str());
    body["name"] = json!(id.name());
    body["type"] = json!(kind.arm_type());
    body["systemData"] = json!({"createdAt": "2026-11-01T00:00:00Z"});
    body
}

fn representative_plan() -> Plan {
    let group = ResourceId::resource_group(SUB, "rg-demo");
    let cluster = ResourceId::in_resource_group(SUB, "rg-demo", Kind::ManagedCluster, "aks-demo");
    let user_pool = cluster.child(Kind::AgentPool, "user");
    let spot_pool = cluster.child(Kind::AgentPool, "spot");
    let identity =
        ResourceId::in_resource_group(SUB, "rg-demo", Kind::UserAssignedIdentity, "id-orders");
    let credential = identity.child(Kind::FederatedIdentityCredential, "orders-aks-demo");
    let registry =
        ResourceId::in_resource_group(SUB, "rg-demo", Kind::ContainerRegistry, "acrdemo");
    let grant = ResourceId::role_assignment(&registry, "2b5f9c1e-9d0a-5c3e-8f7b-1a2b3c4d5e6f");
    let stale =
        ResourceId::in_resource_group(SUB, "rg-demo", Kind::UserAssignedIdentity, "id-legacy");

    let mut fic = resource(
        "federatedCredential/id-orders/orders-aks-demo",
        Kind::FederatedIdentityCredential,
        &credential,
        json!({"properties": {"issuer": null, "subject": "system:serviceaccount:orders:orders-api", "audiences": ["api://AzureADTokenExchange"]}}),
        &["identity/id-orders", "cluster/aks-demo"],
    );
    fic.deferred.push(Deferred {
        path: "/properties/issuer".into(),
        source: "cluster/aks-demo".into(),
        output: "/properties/oidcIssuerProfile/issuerURL".into(),
    });
    let mut acr_pull = resource(
        "roleAssignment/id-orders-acrpull-on-acrdemo",
        Kind::RoleAssignment,
        &grant,
        json!({"properties": {"roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"), "principalId": null, "principalType": "ServicePrincipal"}}),
        &["registry/acrdemo", "identity/id-orders"],
    );
    acr_pull.deferred.push(Deferred {
        path: "/properties/principalId".into(),
        source: "identity/id-orders".into(),
        output: "/properties/principalId".into(),
    });
    let desired = DesiredState {
        estate: "demo".into(),
        subscription: SUB.into(),
        whole_child_lists: Vec::new(),
        resources: vec![
            resource(
                "resourceGroup/rg-demo",
                Kind::ResourceGroup,
                &group,
                json!({"location": "eastus2", "tags": tags()}),
                &[],
            ),
            resource(
                "registry/acrdemo",
                Kind::ContainerRegistry,
                &registry,
                json!({"location": "eastus2", "tags": tags(), "sku": {"name": "Premium"}}),
                &["resourceGroup/rg-demo"],
            ),
            resource(
                "cluster/aks-demo",
                Kind::ManagedCluster,
                &cluster,
                json!({"location": "eastus2", "tags": tags(), "properties": {"kubernetesVersion": "1.33", "dnsPrefix": "aks-demo", "oidcIssuerProfile": {"enabled": true}}}),
                &["resourceGroup/rg-demo"],
            ),
            resource(
                "pool/aks-demo/user",
                Kind::AgentPool,
                &user_pool,
                json!({"properties": {"mode": "User", "vmSize": "Standard_D8ds_v5", "enableAutoScaling": true, "minCount": 3, "maxCount": 12, "count": 3}}),
                &["cluster/aks-demo"],
            ),
            resource(
                "pool/aks-demo/spot",
                Kind::AgentPool,
                &spot_pool,
                json!({"properties": {"mode": "User", "vmSize": "Standard_D4ds_v5", "scaleSetPriority": "Spot", "count": 0, "nodeTaints": ["workload=batch:NoSchedule"]}}),
                &["cluster/aks-demo"],
            ),
            resource(
                "identity/id-orders",
                Kind::UserAssignedIdentity,
                &identity,
                json!({"location": "eastus2", "tags": tags()}),
                &["resourceGroup/rg-demo"],
            ),
            fic,
            acr_pull,
        ],
    };
    let mut live = LiveState::new();
    live.insert_body(live_body(&group, Kind::ResourceGroup, json!({"location": "eastus2", "tags": tags(), "properties": {"provisioningState": "Succeeded"}})));
    live.insert_body(live_body(&registry, Kind::ContainerRegistry, json!({"location": "eastus2", "tags": {"team": "platform"}, "sku": {"name": "Premium", "tier": "Premium"}})));
    live.insert_body(live_body(&cluster, Kind::ManagedCluster, json!({"location": "eastus2", "tags": tags(), "eTag": "c-1", "properties": {
        "kubernetesVersion": "1.32", "currentKubernetesVersion": "1.32.7", "dnsPrefix": "aks-demo",
        "oidcIssuerProfile": {"enabled": true, "issuerURL": "https://eastus2.oic.prod-aks.azure.com/tenant/cluster-guid/"},
        "servicePrincipalProfile": {"clientId": "msi", "secret": "CANARY-never-printed"}}})));
    live.insert_body(live_body(&user_pool, Kind::AgentPool, json!({"eTag": "p-1", "properties": {"mode": "User", "vmSize": "Standard_D4ds_v5", "enableAutoScaling": true, "minCount": 3, "maxCount": 12, "count": 7}})));
    live.insert_body(live_body(
        &stale,
        Kind::UserAssignedIdentity,
        json!({"location": "eastus2", "tags": tags()}),
    ));
    planner::build(&desired, &live, &PlanOptions::default()).expect("plan")
}

#[test]
fn text_rendering() {
    let text = plan_text::render(&representative_plan(), Style { color: false });
    assert!(!text.contains("CANARY"));
    insta::assert_snapshot!("plan_text", text);
}

#[test]
fn text_rendering_is_colored_only_when_asked() {
    let plan = representative_plan();
    assert!(!plan_text::render(&plan, Style { color: false }).contains('\u{1b}'));
    assert!(plan_text::render(&plan, Style { color: true }).contains("\u{1b}[32m"));
}

#[test]
fn json_rendering() {
    let json = plan_json::render(&representative_plan());
    assert!(!json.contains("CANARY-never-printed"), "secrets are masked");
    let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(parsed["formatVersion"], "1");
    assert_eq!(
        parsed["summary"],
        json!({"create": 4, "update": 1, "replace": 1, "delete": 1, "noop": 2})
    );
    insta::assert_snapshot!("plan_json", json);
}

#[test]
fn markdown_rendering() {
    let markdown = plan_markdown::render(&representative_plan());
    assert!(!markdown.contains("CANARY"));
    insta::assert_snapshot!("plan_markdown", markdown);
}

#[test]
fn no_change_renderings() {
    let plan = Plan::new(
        "demo".into(),
        SUB.into(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    insta::assert_snapshot!(plan_text::render(&plan, Style { color: false }), @r"
    aksctl plan for estate demo (subscription 00000000-0000-0000-0000-00000000c0de)

    No changes. ARM matches the estate.
    ");
    insta::assert_snapshot!(plan_markdown::render(&plan), @r"
    ### aksctl plan: `demo`

    **No changes. ARM matches the estate.**
    ");
}

#[test]
fn a_large_markdown_plan_leaves_out_whole_blocks_and_names_them_never_cutting_an_id() {
    let long_value = "x".repeat(400);
    let resources: Vec<DesiredResource> = (0..300)
        .map(|index| {
            let id = ResourceId::resource_group(SUB, &format!("rg-with-a-long-name-{index:04}"));
            resource(
                &format!("resourceGroup/rg-with-a-long-name-{index:04}"),
                Kind::ResourceGroup,
                &id,
                json!({"location": "eastus2", "tags": {"aksctl-estate": "big", "managed-by": "aksctl", "note": long_value}}),
                &[],
            )
        })
        .collect();
    let desired = DesiredState {
        estate: "big".into(),
        subscription: SUB.into(),
        whole_child_lists: Vec::new(),
        resources,
    };
    let plan = planner::build(&desired, &LiveState::new(), &PlanOptions::default()).expect("plan");
    let markdown = plan_markdown::render(&plan);
    assert!(
        markdown.len() < 65_536,
        "fits a GitHub comment: {}",
        markdown.len()
    );
    assert!(!markdown.contains('…'), "nothing is cut mid-text");
    let blocks = markdown.matches("<details>").count();
    assert_eq!(blocks, markdown.matches("</details>").count());
    assert!(blocks > 10 && blocks < 300, "{blocks} blocks");
    for shown in 0..blocks {
        let id = format!("/subscriptions/{SUB}/resourceGroups/rg-with-a-long-name-{shown:04}");
        assert!(
            markdown.contains(&format!("<code>{id}</code>")),
            "full id of block {shown}"
        );
    }
    let left_out = format!("Details of {} more changes are left out", 300 - blocks);
    assert!(markdown.contains(&left_out), "{left_out}");
    assert!(markdown.contains("`resourceGroup/rg-with-a-long-name-0299`"));
}
