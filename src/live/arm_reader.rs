//! `ArmReader` for the real ARM client: lists follow `nextLink`, 404 parents are empty lists.

use async_trait::async_trait;
use serde_json::Value;

use crate::arm::ArmClient;
use crate::id::ResourceId;
use crate::live::reader::{ArmReader, ReadFailure};

#[async_trait]
impl ArmReader for ArmClient {
    async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, ReadFailure> {
        ArmClient::list(self, path, api_version, &[])
            .await
            .map_err(|error| Box::new(error) as ReadFailure)
    }

    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ReadFailure> {
        ArmClient::get(self, id, api_version)
            .await
            .map_err(|error| Box::new(error) as ReadFailure)
    }
}
