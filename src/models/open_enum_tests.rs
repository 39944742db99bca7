//! Every impl `open_enum!` writes, checked on an enum of its own: the macro's body is out of
//! mutation testing's reach (cargo-mutants mutates functions, not macro definitions), so each
//! arm is pinned here.

// The macro writes `pub` items, as the crate's enums need; this one stays in the tests.
#![allow(unreachable_pub)]

use serde_json::json;

super::open_enum! {
    /// Two known values, one with a dot, to tell the wire value from the variant's name.
    Sample {
        /// `first`
        First => "first",
        /// `second.one`
        SecondOne => "second.one",
    }
}

#[test]
fn known_values_map_both_ways() {
    assert_eq!(Sample::KNOWN, &[Sample::First, Sample::SecondOne]);
    for (value, wire) in [(Sample::First, "first"), (Sample::SecondOne, "second.one")] {
        assert_eq!(value.as_str(), wire);
        assert_eq!(value.as_ref(), wire);
        assert_eq!(value.to_string(), wire);
        assert_eq!(Sample::from_wire(wire), value);
        assert_eq!(wire.parse::<Sample>(), Ok(value.clone()));
        assert_eq!(serde_json::to_value(&value).unwrap(), json!(wire));
        assert_eq!(
            serde_json::from_value::<Sample>(json!(wire)).unwrap(),
            value
        );
    }
}

#[test]
fn any_other_value_is_kept_as_sent() {
    // Another spelling of a known value is another value: the wire is case-sensitive.
    for wire in ["First", "second", "", "third"] {
        let value = Sample::from_wire(wire);
        assert_eq!(value, Sample::Other(wire.to_owned()));
        assert_eq!(value.as_str(), wire);
        assert_eq!(value.to_string(), wire);
        assert_eq!(wire.parse::<Sample>(), Ok(value.clone()));
        assert_eq!(serde_json::to_value(&value).unwrap(), json!(wire));
    }
    // An escaped string cannot be borrowed from the input: the owned path gives the same value.
    let escaped: Sample = serde_json::from_str(r#""first\u002e""#).unwrap();
    assert_eq!(escaped, Sample::Other("first.".into()));
    let escaped_known: Sample = serde_json::from_str(r#""second\u002eone""#).unwrap();
    assert_eq!(escaped_known, Sample::SecondOne);
    assert!(serde_json::from_value::<Sample>(json!(1)).is_err());
}

#[test]
fn debug_names_the_variant_and_shows_another_value() {
    assert_eq!(format!("{:?}", Sample::First), "First");
    assert_eq!(format!("{:?}", Sample::SecondOne), "SecondOne");
    assert_eq!(format!("{:?}", Sample::Other("x".into())), r#"Other("x")"#);
}

#[test]
fn the_schema_is_a_string_naming_the_known_values() {
    let schema = serde_json::to_value(schemars::schema_for!(Sample)).unwrap();
    assert_eq!(schema["title"], "Sample");
    assert_eq!(schema["type"], "string");
    assert_eq!(
        schema["description"],
        "Extensible: known values are `first`, `second.one`; the service may add more."
    );
    assert_eq!(schema["examples"], json!(["first", "second.one"]));
    assert!(schema.get("enum").is_none(), "open: {schema}");
}
