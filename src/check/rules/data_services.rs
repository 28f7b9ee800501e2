//! Data services: storage TLS and public access, passwordless storage, backups with data
//! protection, redundancy, and registries that serve every region their clusters run in
//! (seed 000, seed 002, seed 001).

use std::collections::BTreeSet;

use crate::check::context::{canonical_region, Context};
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::kind::Kind;
use crate::spec::{ContainerPublicAccess, RegistrySku, StorageSku, Switch, TlsVersion};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS060",
        area: Area::DataServices,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Storage accepts TLS 1.2 or later only",
        rationale: "Seed 000 shared-cluster guidance: storage with minimum TLS 1.2.",
        fix: "Set `minimumTlsVersion: TLS1_2` (the default).",
        evaluate: storage_tls,
    },
    Rule {
        id: "AKS061",
        area: Area::DataServices,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Storage allows no anonymous blob access",
        rationale: "Seed 000 shared-cluster guidance: no public blob access on storage accounts.",
        fix: "Set `allowBlobPublicAccess: false`.",
        evaluate: no_public_blobs,
    },
    Rule {
        id: "AKS062",
        area: Area::DataServices,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Blob containers are private",
        rationale: "Seed 000 shared-cluster guidance: no public blob access; a container with `Blob` or `Container` access serves its data to anyone.",
        fix: "Remove `publicAccess` from the container (or set it to `None`).",
        evaluate: private_containers,
    },
    Rule {
        id: "AKS063",
        area: Area::DataServices,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Storage is reached with identities, not shared keys",
        rationale: "Seed 001 anti-patterns: go passwordless; an account key is a secret that ends up in a Kubernetes Secret.",
        fix: "Set `allowSharedKeyAccess: false` and grant `Storage Blob Data ...` roles to identities.",
        evaluate: no_shared_keys,
    },
    Rule {
        id: "AKS064",
        area: Area::DataServices,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Blob data is protected by versioning and soft delete",
        rationale: "Seed 002 ops checklist: backups verified, restore playbook tested; seed 000 lab: Velero's target keeps versions and soft-deleted blobs.",
        fix: "Set `blobVersioning: true`, `blobSoftDeleteDays` and `containerSoftDeleteDays`.",
        evaluate: data_protection,
    },
    Rule {
        id: "AKS065",
        area: Area::DataServices,
        severity: Severity::Info,
        relaxed_in_dev: false,
        title: "The estate declares a backup target for its clusters",
        rationale: "Seed 002 ops checklist: backups verified monthly; seed 000 lab: Velero backs up to a versioned storage container.",
        fix: "Declare a storage account with `blobVersioning: true` and a container for Velero.",
        evaluate: backup_target,
    },
    Rule {
        id: "AKS066",
        area: Area::DataServices,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "Premium registries are zone-redundant",
        rationale: "Seed 003 Production Checklist: zone-redundant node pools; the registry they pull from must survive the same zone loss, or new nodes cannot start.",
        fix: "Set `zoneRedundancy: Enabled` (create-only).",
        evaluate: zone_redundant_registries,
    },
    Rule {
        id: "AKS067",
        area: Area::DataServices,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Registries replicate to every region their clusters run in",
        rationale: "Seed 001 reference example: a geo-replicated registry lets the standby region pull during a primary outage.",
        fix: "Add the cluster's region to the registry's `geoReplications` (Premium).",
        evaluate: registry_regions,
    },
    Rule {
        id: "AKS068",
        area: Area::DataServices,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "Storage is zone- or geo-redundant",
        rationale: "Seed 002 ops checklist: backups verified; seed 001: RPO is set by the data tier (geo-replicated Storage). Locally redundant storage loses backups with the datacenter.",
        fix: "Use `sku: Standard_ZRS` or `Standard_GZRS` (or `Standard_GRS`).",
        evaluate: redundant_storage,
    },
];

fn storage_tls(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        if matches!(
            account.minimum_tls_version,
            Some(TlsVersion::Tls1_0 | TlsVersion::Tls1_1)
        ) {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &account.name,
                Some("minimumTlsVersion"),
                format!("storage account `{}` accepts TLS below 1.2", account.name),
            ));
        }
    }
}

fn no_public_blobs(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        if account.allow_blob_public_access == Some(true) {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &account.name,
                Some("allowBlobPublicAccess"),
                format!(
                    "storage account `{}` allows anonymous blob access",
                    account.name
                ),
            ));
        }
    }
}

fn private_containers(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        for container in &account.containers {
            if matches!(
                container.public_access,
                Some(ContainerPublicAccess::Blob | ContainerPublicAccess::Container)
            ) {
                let mut hit = Hit::resource(
                    Kind::BlobContainer,
                    "storageAccounts",
                    &account.name,
                    None,
                    format!(
                        "container `{}/{}` is readable anonymously",
                        account.name, container.name
                    ),
                );
                hit.resource = crate::check::context::address(
                    Kind::BlobContainer,
                    &[&account.name, &container.name],
                );
                hit.path = hit
                    .path
                    .named("containers", &container.name)
                    .key("publicAccess");
                hits.push(hit);
            }
        }
    }
}

fn no_shared_keys(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        if account.allow_shared_key_access != Some(false) {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &account.name,
                Some("allowSharedKeyAccess"),
                format!("storage account `{}` accepts account keys", account.name),
            ));
        }
    }
}

fn data_protection(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        if account.blob_versioning != Some(true) || account.blob_soft_delete_days.is_none() {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &account.name,
                Some("blobVersioning"),
                format!(
                    "storage account `{}` keeps no versions or soft-deleted blobs",
                    account.name
                ),
            ));
        }
    }
}

fn backup_target(context: &Context<'_>, hits: &mut Vec<Hit>) {
    let has_target = context
        .estate
        .storage_accounts
        .iter()
        .any(|account| account.blob_versioning == Some(true) && !account.containers.is_empty());
    if has_target {
        return;
    }
    for cluster in &context.estate.clusters {
        hits.push(Hit::cluster(
            cluster,
            None,
            format!(
                "no versioned storage container in the estate to back cluster `{}` up to",
                cluster.name
            ),
        ));
    }
}

fn zone_redundant_registries(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for registry in &context.estate.registries {
        if registry.sku == RegistrySku::Premium && registry.zone_redundancy != Some(Switch::Enabled)
        {
            hits.push(Hit::resource(
                Kind::ContainerRegistry,
                "registries",
                &registry.name,
                Some("zoneRedundancy"),
                format!("registry `{}` is not zone-redundant", registry.name),
            ));
        }
    }
}

fn registry_regions(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let region = canonical_region(
            cluster
                .location
                .as_deref()
                .unwrap_or(&context.estate.location),
        );
        for name in &cluster.acr_pull {
            let Some(registry) = context.registry(name) else {
                continue;
            };
            let served: BTreeSet<String> = registry
                .location
                .iter()
                .chain(&registry.geo_replications)
                .map(|location| canonical_region(location))
                .collect();
            if !served.contains(&region) {
                hits.push(Hit::resource(
                    Kind::ContainerRegistry,
                    "registries",
                    name,
                    Some("geoReplications"),
                    format!(
                        "registry `{name}` has no replica in {region}, where cluster `{}` pulls from it",
                        cluster.name
                    ),
                ));
            }
        }
    }
}

fn redundant_storage(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for account in &context.estate.storage_accounts {
        if matches!(
            account.sku,
            StorageSku::StandardLrs | StorageSku::PremiumLrs
        ) {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &account.name,
                Some("sku"),
                format!(
                    "storage account `{}` is locally redundant ({})",
                    account.name, account.sku
                ),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::case;
    vec![
        case("AKS060", |estate| {
            estate.storage_accounts[0].minimum_tls_version = Some(TlsVersion::Tls1_0);
        }),
        case("AKS061", |estate| {
            estate.storage_accounts[0].allow_blob_public_access = Some(true);
        }),
        case("AKS062", |estate| {
            estate.storage_accounts[0].containers[0].public_access =
                Some(ContainerPublicAccess::Blob);
        }),
        case("AKS063", |estate| {
            estate.storage_accounts[0].allow_shared_key_access = None;
        }),
        case("AKS064", |estate| {
            estate.storage_accounts[0].blob_versioning = None;
        }),
        case("AKS065", |estate| {
            estate.storage_accounts[0].blob_versioning = None;
        }),
        case("AKS066", |estate| {
            estate.registries[0].zone_redundancy = None;
        }),
        case("AKS067", |estate| {
            estate.registries[0].geo_replications.clear();
        }),
        case("AKS068", |estate| {
            estate.storage_accounts[0].sku = StorageSku::StandardLrs;
        }),
    ]
}
