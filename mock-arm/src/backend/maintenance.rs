//! Microsoft.ContainerService/managedClusters/maintenanceConfigurations: AKS planned
//! maintenance. Proxy children of a cluster with three valid names; PUT (200/201) and DELETE
//! (200/204) are synchronous and do not take the cluster's operation lock. `default` uses the
//! legacy `timeInWeek`/`notAllowedTime`; the `aksManaged*` schedules use `maintenanceWindow`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};

/// The configuration names AKS accepts, spelled as AKS returns them.
pub const NAMES: &[&str] = &[
    "default",
    "aksManagedAutoUpgradeSchedule",
    "aksManagedNodeOSUpgradeSchedule",
];
const WEEKDAYS: &[&str] = &[
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const WEEK_INDEXES: &[&str] = &["First", "Second", "Third", "Fourth", "Last"];
static START_TIME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"));
static UTC_OFFSET: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^(-|\+)(0[0-9]|1[0-4]):[0-5][0-9]$"));
static DATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"));

fn invalid(target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

fn canonical_name(name: &str) -> Result<&'static str, ArmError> {
    NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| {
            invalid(
                "configName",
                format!(
                    "The maintenance configuration name '{name}' is invalid. Allowed names: {}.",
                    NAMES.join(", ")
                ),
            )
        })
}

fn canonical_weekday(value: Option<&Value>, target: &str) -> Result<&'static str, ArmError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::required(target))?;
    WEEKDAYS
        .iter()
        .find(|day| day.eq_ignore_ascii_case(text))
        .copied()
        .ok_or_else(|| invalid(target, format!("'{text}' is not a day of the week.")))
}

fn integer_in(
    object: &Value,
    field: &str,
    target: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ArmError> {
    let value = object
        .get(field)
        .ok_or_else(|| ArmError::required(target))?;
    let number = value
        .as_i64()
        .ok_or_else(|| invalid(target, format!("'{target}' must be an integer.")))?;
    if !range.contains(&number) {
        return Err(invalid(
            target,
            format!(
                "'{target}' is {number}; it must be between {} and {}.",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(number)
}

/// One and only one of daily / weekly / absoluteMonthly / relativeMonthly.
fn schedule(input: &Value) -> Result<Value, ArmError> {
    let target = "properties.maintenanceWindow.schedule";
    let Some(Value::Object(fields)) = input.get("schedule") else {
        return Err(ArmError::required(target));
    };
    let present: Vec<(&String, &Value)> = fields.iter().filter(|(_, v)| !v.is_null()).collect();
    let [(kind, body)] = present.as_slice() else {
        return Err(invalid(
            target,
            "One and only one of the schedule types should be specified: daily, weekly, absoluteMonthly or relativeMonthly.",
        ));
    };
    let at = |field: &str| format!("{target}.{kind}.{field}");
    let normalized = match kind.as_str() {
        "daily" => {
            json!({ "daily": { "intervalDays": integer_in(body, "intervalDays", &at("intervalDays"), 1..=7)? } })
        }
        "weekly" => json!({ "weekly": {
            "intervalWeeks": integer_in(body, "intervalWeeks", &at("intervalWeeks"), 1..=4)?,
            "dayOfWeek": canonical_weekday(body.get("dayOfWeek"), &at("dayOfWeek"))?,
        } }),
        "absoluteMonthly" => json!({ "absoluteMonthly": {
            "intervalMonths": integer_in(body, "intervalMonths", &at("intervalMonths"), 1..=6)?,
            "dayOfMonth": integer_in(body, "dayOfMonth", &at("dayOfMonth"), 1..=31)?,
        } }),
        "relativeMonthly" => {
            let index = body
                .get("weekIndex")
                .and_then(Value::as_str)
                .ok_or_else(|| ArmError::required(&at("weekIndex")))?;
            let index = WEEK_INDEXES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(index))
                .ok_or_else(|| {
                    invalid(
                        &at("weekIndex"),
                        format!(
                            "'{index}' is not a week index (First, Second, Third, Fourth, Last)."
                        ),
                    )
                })?;
            json!({ "relativeMonthly": {
                "intervalMonths": integer_in(body, "intervalMonths", &at("intervalMonths"), 1..=6)?,
                "weekIndex": index,
                "dayOfWeek": canonical_weekday(body.get("dayOfWeek"), &at("dayOfWeek"))?,
            } })
        }
        other => {
            return Err(invalid(
                target,
                format!("'{other}' is not a schedule type."),
            ))
        }
    };
    Ok(normalized)
}

fn date(value: &Value, target: &str) -> Result<String, ArmError> {
    let text = value.as_str().unwrap_or_default();
    if common::matches(&DATE, text) {
        Ok(text.to_string())
    } else {
        Err(invalid(
            target,
            format!("'{text}' is not a date (YYYY-MM-DD)."),
        ))
    }
}

fn maintenance_window(input: &Value) -> Result<Value, ArmError> {
    let base = "properties.maintenanceWindow";
    let mut window = Map::new();
    window.insert("schedule".into(), schedule(input)?);
    let duration = integer_in(
        input,
        "durationHours",
        &format!("{base}.durationHours"),
        4..=24,
    )?;
    window.insert("durationHours".into(), json!(duration));
    let start = input
        .get("startTime")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::required(&format!("{base}.startTime")))?;
    if !common::matches(&START_TIME, start) {
        return Err(invalid(
            &format!("{base}.startTime"),
            format!("The start time '{start}' is invalid: accepted values are '00:00' to '23:59'."),
        ));
    }
    window.insert("startTime".into(), json!(start));
    let offset = input
        .get("utcOffset")
        .and_then(Value::as_str)
        .unwrap_or("+00:00");
    if !common::matches(&UTC_OFFSET, offset) {
        return Err(invalid(
            &format!("{base}.utcOffset"),
            format!("The UTC offset '{offset}' is invalid: use +/-HH:mm, e.g. '+05:30'."),
        ));
    }
    window.insert("utcOffset".into(), json!(offset));
    if let Some(start_date) = input.get("startDate").filter(|v| !v.is_null()) {
        window.insert(
            "startDate".into(),
            json!(date(start_date, &format!("{base}.startDate"))?),
        );
    }
    if let Some(spans) = input.get("notAllowedDates").filter(|v| !v.is_null()) {
        let target = format!("{base}.notAllowedDates");
        let spans = spans
            .as_array()
            .ok_or_else(|| invalid(&target, "notAllowedDates must be an array."))?;
        let mut checked = Vec::new();
        for span in spans {
            let start = date(
                span.get("start").unwrap_or(&Value::Null),
                &format!("{target}.start"),
            )?;
            let end = date(
                span.get("end").unwrap_or(&Value::Null),
                &format!("{target}.end"),
            )?;
            if end < start {
                return Err(invalid(
                    &target,
                    format!("The date span {start} - {end} ends before it starts."),
                ));
            }
            checked.push(json!({ "start": start, "end": end }));
        }
        window.insert("notAllowedDates".into(), Value::Array(checked));
    }
    Ok(Value::Object(window))
}

/// The legacy `default` configuration: `timeInWeek` (day + hour slots) and `notAllowedTime`.
fn legacy(properties: &Value) -> Result<Value, ArmError> {
    let mut normalized = Map::new();
    let mut slots = Vec::new();
    for (index, entry) in properties
        .get("timeInWeek")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let target = format!("properties.timeInWeek[{index}]");
        let day = canonical_weekday(entry.get("day"), &format!("{target}.day"))?;
        let mut hours = Vec::new();
        for hour in entry
            .get("hourSlots")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match hour.as_i64() {
                Some(hour) if (0..=23).contains(&hour) => hours.push(json!(hour)),
                _ => {
                    return Err(invalid(
                        &format!("{target}.hourSlots"),
                        format!("The hour slot {hour} is invalid: use 0-23."),
                    ))
                }
            }
        }
        slots.push(json!({ "day": day, "hourSlots": hours }));
    }
    normalized.insert("timeInWeek".into(), Value::Array(slots));
    let mut blocked = Vec::new();
    for span in properties
        .get("notAllowedTime")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let start = json::str_at(span, "/start").unwrap_or_default();
        let end = json::str_at(span, "/end").unwrap_or_default();
        if start.is_empty() || end.is_empty() {
            return Err(invalid(
                "properties.notAllowedTime",
                "Each notAllowedTime span needs a start and an end.",
            ));
        }
        blocked.push(json!({ "start": start, "end": end }));
    }
    if !blocked.is_empty() {
        normalized.insert("notAllowedTime".into(), Value::Array(blocked));
    }
    Ok(Value::Object(normalized))
}

/// Validates and normalizes the requested `properties` for configuration `name`.
pub fn normalize(name: &str, properties: &Value) -> Result<Value, ArmError> {
    let has_window = properties
        .get("maintenanceWindow")
        .is_some_and(|v| !v.is_null());
    let has_legacy = ["timeInWeek", "notAllowedTime"]
        .iter()
        .any(|field| properties.get(*field).is_some_and(|v| !v.is_null()));
    if name == "default" {
        if has_window {
            return Err(invalid(
                "properties.maintenanceWindow",
                "The 'default' maintenance configuration uses timeInWeek/notAllowedTime; maintenanceWindow is only for aksManagedAutoUpgradeSchedule and aksManagedNodeOSUpgradeSchedule.",
            ));
        }
        return legacy(properties);
    }
    if has_legacy {
        return Err(invalid(
            "properties.timeInWeek",
            format!("The '{name}' maintenance configuration takes a maintenanceWindow; timeInWeek/notAllowedTime are only for 'default'."),
        ));
    }
    let window = properties
        .get("maintenanceWindow")
        .filter(|v| !v.is_null())
        .ok_or_else(|| ArmError::required("properties.maintenanceWindow"))?;
    Ok(json!({ "maintenanceWindow": maintenance_window(window)? }))
}

fn body(path: &ResourcePath, name: &str, properties: Value, system_data: Value) -> Value {
    let mut id_path = path.clone();
    if let Some(last) = id_path.names.last_mut() {
        *last = name.to_string();
    }
    json!({
        "id": id_path.id(),
        "name": name,
        "type": Kind::MaintenanceConfiguration.arm_type(),
        "properties": properties,
        "systemData": system_data,
    })
}

/// Synchronous upsert: 201 on create, 200 on update. The cluster must exist.
pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let name = canonical_name(path.name())?;
    let cluster_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let properties = input
        .get("properties")
        .filter(|v| !v.is_null())
        .ok_or_else(|| ArmError::required("properties"))?;
    let normalized = normalize(name, properties)?;
    let key = path.key();
    let existing = world.get(&key).map(|resource| resource.body.clone());
    let system_data = if request.seeding {
        input
            .get("systemData")
            .cloned()
            .unwrap_or_else(|| common::system_data(existing.as_ref(), request))
    } else {
        common::system_data(existing.as_ref(), request)
    };
    let stored = body(path, name, normalized, system_data);
    world.insert(Resource {
        id: json::str_at(&stored, "/id").unwrap_or_default().to_string(),
        kind: Kind::MaintenanceConfiguration,
        parent_key: cluster_key,
        body: stored.clone(),
    });
    Ok(Reply::new(
        if existing.is_some() { 200 } else { 201 },
        Some(stored),
    ))
}
