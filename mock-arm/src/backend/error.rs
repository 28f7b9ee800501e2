//! ARM's error value: HTTP status plus the `{"error":{code,message,target,details}}` body.

use serde_json::{json, Value};

/// An error ARM would answer with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    pub details: Vec<Value>,
    /// Seconds for a `Retry-After` header (throttling, injected faults).
    pub retry_after: Option<f64>,
}

impl ArmError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code: code.into(),
            message: message.into(),
            target: None,
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_target(mut self, target: impl Into<String>) -> ArmError {
        self.target = Some(target.into());
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(400, code, message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(409, code, message)
    }

    pub fn resource_not_found(
        arm_type: &str,
        name: &str,
        resource_group: Option<&str>,
    ) -> ArmError {
        let message = match resource_group {
            Some(group) => format!(
                "The Resource '{arm_type}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
            None => format!("The Resource '{arm_type}/{name}' was not found."),
        };
        ArmError::new(404, "ResourceNotFound", message)
    }

    pub fn resource_group_not_found(name: &str) -> ArmError {
        ArmError::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )
    }

    pub fn parent_not_found(parent_type: &str, parent_name: &str) -> ArmError {
        ArmError::new(
            404,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{parent_name}' ({parent_type}) not found."
            ),
        )
    }

    pub fn required(field: &str) -> ArmError {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content is missing the required property '{field}'."),
        )
        .with_target(field)
    }

    pub fn property_change_not_allowed(property: &str, from: &Value, to: &Value) -> ArmError {
        ArmError::bad_request(
            "PropertyChangeNotAllowed",
            format!("Changing property '{property}' is not allowed (current value {from}, requested {to}); the resource must be re-created."),
        )
        .with_target(property)
    }

    /// The JSON body ARM sends.
    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(target) = &self.target {
            error["target"] = json!(target);
        }
        error["details"] = Value::Array(self.details.clone());
        json!({ "error": error })
    }
}
