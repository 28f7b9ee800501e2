//! Descriptor of the Log Analytics workspace (`../shared/arm/FACTS-2.md` §1).

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    DiffRules, FieldRule, Implied, KindDescriptor, Lane, Ownership, Read, Timing, PLAIN_DIFF,
    PLAIN_WRITE,
};
use crate::kind::fields::{FieldMapping, Lowering};
use crate::kind::naming::NamingRule;

pub const LOG_ANALYTICS_WORKSPACE: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.OperationalInsights/workspaces",
    api_version: "2026-03-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "logAnalyticsWorkspace",
    noun: "Log Analytics workspace",
    scope_prefix: Some("logAnalyticsWorkspace"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: Some(NamingRule {
        length: (4, 63),
        also: &['-'],
        lower_case: false,
        alphanumeric_ends: true,
        hint: "4-63 letters, digits and hyphens, starting and ending with a letter or digit",
    }),
    // The body is the envelope plus the field mapping: lowered and exported generically.
    lowering: Lowering::Fields,
    read: Read::ResourceGroup,
    diff: DiffRules {
        // The general ARM rule for tracked resources (unverified for this provider).
        fields: &[FieldRule::forces_replacement("location")],
        // Both switches default to `Enabled` (spec `PublicNetworkAccessType`).
        implied_defaults: &[
            (
                "properties.publicNetworkAccessForIngestion",
                Implied::Text("Enabled"),
            ),
            (
                "properties.publicNetworkAccessForQuery",
                Implied::Text("Enabled"),
            ),
        ],
        server_owned: &[
            "/properties/customerId",
            "/properties/createdDate",
            "/properties/modifiedDate",
            "/properties/privateLinkScopedResources",
            "/properties/sku/lastSkuUpdate",
            "/properties/workspaceCapping/quotaNextResetTime",
            "/properties/workspaceCapping/dataIngestionStatus",
            "/properties/features/unifiedSentinelBillingOnly",
            "/properties/features/associations",
        ],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    // A new workspace starts with no logs and a new customer id (agents re-register).
    destructive_replace: true,
    timing: Timing {
        create_seconds: 20,
        update_seconds: 5,
        delete_seconds: 20,
        deadline_minutes: 10,
        lane: Lane::Short,
    },
    fields: &[
        FieldMapping {
            estate: "sku",
            arm: "/properties/sku/name",
            arm_default: None,
        },
        FieldMapping {
            estate: "retentionInDays",
            arm: "/properties/retentionInDays",
            arm_default: None,
        },
        FieldMapping {
            estate: "dailyQuotaGb",
            arm: "/properties/workspaceCapping/dailyQuotaGb",
            arm_default: Some(Implied::Integer(-1)),
        },
        FieldMapping {
            estate: "publicNetworkAccessForIngestion",
            arm: "/properties/publicNetworkAccessForIngestion",
            arm_default: Some(Implied::Text("Enabled")),
        },
        FieldMapping {
            estate: "publicNetworkAccessForQuery",
            arm: "/properties/publicNetworkAccessForQuery",
            arm_default: Some(Implied::Text("Enabled")),
        },
    ],
};
