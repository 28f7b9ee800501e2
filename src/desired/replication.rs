//! Lowering of registry geo-replicas: one `registryReplication/<registry>/<location>` per entry
//! of a registry's `geoReplications` (`Microsoft.ContainerRegistry/registries/replications`).
//!
//! A replica is a tracked resource named after its region: `{location, tags, properties}` with
//! the registry's tags plus the ownership tags (a replica is owned through its own tags, like
//! every tracked resource). A replica follows its registry's declared `zoneRedundancy` (ARM
//! fixes it at creation, per replica); `regionEndpointEnabled` is not declared (ARM's default,
//! true, serves the region).

use serde_json::{Map, Value};

use crate::desired::context::{address_of, address_of_resource, canonical_location, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::Kind;

/// Every declared replica, after its registry.
pub fn lower_replications(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    let mut replicas = Vec::new();
    for registry in &lowering.estate.registries {
        let registry_address = address_of_resource(registry);
        let registry_id = lowering.id_of(registry);
        let home = lowering.location(registry.location.as_deref(), &registry.resource_group);
        let mut seen: Vec<String> = Vec::new();
        for declared in &registry.geo_replications {
            let location = canonical_location(declared);
            let address = address_of(Kind::RegistryReplication, &[&registry.name, &location]);
            if location == home {
                return Err(LowerError::Invalid {
                    address,
                    reason: format!(
                        "`{declared}` is the registry's home region, which ARM serves without a \
                         replica"
                    ),
                });
            }
            if seen.contains(&location) {
                return Err(LowerError::DuplicateAddress { address });
            }
            seen.push(location.clone());
            let mut body = Map::new();
            body.insert("location".to_string(), Value::String(location.clone()));
            body.insert("tags".to_string(), lowering.tags(&registry.tags));
            if let Some(zone_redundancy) = registry.zone_redundancy {
                let mut properties = Map::new();
                properties.insert(
                    "zoneRedundancy".to_string(),
                    Value::String(zone_redundancy.as_str().to_string()),
                );
                body.insert("properties".to_string(), Value::Object(properties));
            }
            replicas.push(DesiredResource {
                address,
                kind: Kind::RegistryReplication,
                id: registry_id.child(Kind::RegistryReplication, &location),
                body: Value::Object(body),
                deferred: Vec::new(),
                depends_on: vec![registry_address.clone()],
            });
        }
    }
    for replica in replicas {
        lowering.push(replica);
    }
    Ok(())
}
