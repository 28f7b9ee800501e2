//! `ArmReader` for the real ARM client: lists follow `nextLink` page by page, 404 parents are
//! empty lists, and the fan-out follows the client's read budget.

use async_trait::async_trait;
use serde_json::Value;

use crate::arm::{ArmClient, Pages};
use crate::id::ResourceId;
use crate::live::read_queue::PageSource;
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

    fn pages(&self, path: &str, api_version: &str) -> Box<dyn PageSource> {
        Box::new(ClientPages(ArmClient::pages(self, path, api_version, &[])))
    }

    fn read_room(&self) -> usize {
        ArmClient::read_room(self)
    }
}

/// The client's pages, or the error building the first URL (reported on the first read).
struct ClientPages(Result<Pages, crate::arm::ArmError>);

#[async_trait]
impl PageSource for ClientPages {
    async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ReadFailure> {
        match &mut self.0 {
            Ok(pages) => pages
                .next_page()
                .await
                .map_err(|error| Box::new(error) as ReadFailure),
            Err(error) => Err(Box::new(error.clone()) as ReadFailure),
        }
    }

    fn has_more(&self) -> bool {
        self.0.as_ref().is_ok_and(Pages::has_next)
    }
}
