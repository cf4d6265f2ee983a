//! Building objects that carry every attribute of their type.

use std::collections::BTreeMap;

use super::{AttributePath, Type, Value, ValueError};

/// Builds a [`Value::Object`] for an object [`Type`]: attributes that are not set become null,
/// so the result always has exactly the type's attributes, as Terraform requires.
///
/// ```
/// use clusternet_tfplugin::value::{ObjectBuilder, Type, Value};
///
/// let ty = Type::object([("name", Type::String), ("labels", Type::map(Type::String))]);
/// let value = ObjectBuilder::new(&ty).set("name", "eu-1").build().unwrap();
/// assert_eq!(value.get("name").and_then(Value::as_str), Some("eu-1"));
/// assert!(value.get("labels").unwrap().is_null());
/// ```
#[derive(Debug)]
pub struct ObjectBuilder<'t> {
    ty: &'t Type,
    values: BTreeMap<String, Value>,
    error: Option<ValueError>,
}

impl<'t> ObjectBuilder<'t> {
    /// Starts an object of type `ty` (which must be an object type, or `build` fails).
    pub fn new(ty: &'t Type) -> Self {
        Self {
            ty,
            values: BTreeMap::new(),
            error: None,
        }
    }

    /// Sets an attribute. Setting one the type does not declare makes `build` fail.
    #[must_use]
    pub fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        let declared = self
            .ty
            .attribute_types()
            .is_some_and(|attrs| attrs.contains_key(name));
        if declared {
            self.values.insert(name.to_owned(), value.into());
        } else if self.error.is_none() {
            self.error = Some(ValueError::UnsupportedAttribute {
                path: AttributePath::root(),
                name: name.to_owned(),
            });
        }
        self
    }

    /// The object, with null for every attribute that was not set.
    pub fn build(self) -> Result<Value, ValueError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let Some(attrs) = self.ty.attribute_types() else {
            return Err(ValueError::mismatch(
                &AttributePath::root(),
                "an object type",
                self.ty.to_json(),
            ));
        };
        let mut values = self.values;
        for name in attrs.keys() {
            values.entry(name.clone()).or_insert(Value::Null);
        }
        Ok(Value::Object(values))
    }
}
