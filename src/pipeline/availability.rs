//! Step 0 of each try: what the client's API version has. An operation the version lacks, or a
//! request-body property it lacks (such as a preview's `customId`), is refused before sending,
//! naming the method the user called. Which version has what is the table's
//! ([`spec::OPERATIONS`](crate::spec::OPERATIONS)); what the client's version lacks is decided once
//! per client, a bit per operation.

use crate::error::Error;
use crate::spec::{OPERATIONS, Operation, OperationId};

/// What the client's API version lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Availability {
    /// Bit `i` set: operation `i` does not exist at the version.
    missing_operations: u64,
    /// Bit `i` set: operation `i` has a request-body property the version lacks.
    missing_properties: u64,
}

impl Availability {
    /// What `api_version` lacks; a version the crate does not know lacks nothing (only the
    /// service can tell).
    pub(crate) fn of(api_version: &str) -> Self {
        const _: () = assert!(OPERATIONS.len() <= 64, "one bit per operation");
        let bits = |lacks: &dyn Fn(&Operation) -> bool| {
            OPERATIONS
                .iter()
                .enumerate()
                .filter(|(_, op)| lacks(op))
                // Distinct bits: their sum is their union.
                .map(|(i, _)| 1u64 << i)
                .sum::<u64>()
        };
        Availability {
            missing_operations: bits(&|op| !op.exists_at(api_version)),
            missing_properties: bits(&|op| {
                op.body_properties
                    .iter()
                    .any(|p| !op.takes_at(p.name, api_version))
            }),
        }
    }

    /// Refuses `operation` when the version lacks it; `method` is what the user called.
    pub(crate) fn check_operation(
        &self,
        operation: OperationId,
        method: &str,
        api_version: &str,
    ) -> Result<(), Error> {
        if self.missing_operations & (1 << operation as u32) == 0 {
            return Ok(());
        }
        Err(Error::invalid_argument(format!(
            "`{method}` needs API version {}; this client uses {api_version} (set \
             `ClientOptions::api_version`)",
            operation.operation().needs()
        )))
    }

    /// Refuses a request of `operation` whose JSON body sets a property the version lacks.
    pub(crate) fn check_body(
        &self,
        operation: OperationId,
        method: &str,
        api_version: &str,
        body: Option<&[u8]>,
    ) -> Result<(), Error> {
        if self.missing_properties & (1 << operation as u32) == 0 {
            return Ok(());
        }
        let op = operation.operation();
        // Most bodies (every create without a custom id) name none of the properties: no need
        // to parse them.
        let Some(body) = body.filter(|b| {
            op.body_properties
                .iter()
                .any(|p| b.windows(p.name.len()).any(|w| w == p.name.as_bytes()))
        }) else {
            return Ok(());
        };
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
            return Ok(());
        };
        let refused = op.body_properties.iter().find(|p| {
            fields.get(p.name).is_some_and(|v| !v.is_null()) && !op.takes_at(p.name, api_version)
        });
        match refused {
            None => Ok(()),
            Some(p) => Err(Error::invalid_argument(format!(
                "`{}` of `{method}` needs API version {}; this client uses {api_version} (set \
                 `ClientOptions::api_version`)",
                snake_case(p.name),
                p.needs()
            ))),
        }
    }
}

/// A wire name as the crate's parameters and the generated fields name it: `customId` ->
/// `custom_id`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::API_VERSIONS;

    #[test]
    fn each_version_lacks_what_the_table_says() {
        for version in API_VERSIONS {
            let a = Availability::of(version);
            for &id in OperationId::ALL {
                let op = id.operation();
                assert_eq!(
                    a.check_operation(id, "m", version).is_ok(),
                    op.versions.contains(version),
                    "{} at {version}",
                    op.name
                );
                for p in op.body_properties {
                    let body = format!("{{\"{}\": \"x\"}}", p.name);
                    let result = a.check_body(id, "m", version, Some(body.as_bytes()));
                    assert_eq!(result.is_ok(), p.versions.contains(version), "{p:?}");
                    // Absent or null: nothing to refuse.
                    let null = format!("{{\"{}\": null}}", p.name);
                    assert!(
                        a.check_body(id, "m", version, Some(null.as_bytes()))
                            .is_ok()
                    );
                    assert!(a.check_body(id, "m", version, Some(b"{}")).is_ok());
                    assert!(a.check_body(id, "m", version, None).is_ok());
                }
            }
        }
        let unknown = Availability::of("2099-01-01");
        assert_eq!(unknown.missing_operations | unknown.missing_properties, 0);
    }

    #[test]
    fn refusals_name_the_method_and_the_versions() {
        let Some(op) = OPERATIONS.iter().find(|op| op.versions != API_VERSIONS) else {
            return; // every operation at every version: nothing is refused
        };
        let lacking = API_VERSIONS
            .iter()
            .find(|v| !op.versions.contains(v))
            .unwrap();
        let e = Availability::of(lacking)
            .check_operation(op.id, "the_method", lacking)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "invalid argument: `the_method` needs API version {}; this client uses {lacking} \
                 (set `ClientOptions::api_version`)",
                op.needs()
            )
        );
        assert_eq!(snake_case("customId"), "custom_id");
        assert_eq!(snake_case("expiresInMinutes"), "expires_in_minutes");
    }
}
