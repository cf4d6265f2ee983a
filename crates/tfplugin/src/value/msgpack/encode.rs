//! Type-driven msgpack encoding (cty `msgpack.Marshal`), byte-compatible with Terraform.

use std::collections::BTreeMap;

use super::refinements;
use super::writer::Writer;
use crate::value::path::PathStep;
use crate::value::{AttributePath, Number, Type, Unknown, Value, ValueError};

pub(super) struct Encoder {
    pub(super) out: Writer,
    path: AttributePath,
}

/// A number as cty writes it: int if it is an exact int64, float64 if it is exactly a double
/// (infinities included), otherwise its decimal text as a string.
pub(super) fn write_number(out: &mut Writer, number: &Number) {
    if let Some(i) = number.as_i64() {
        out.int(i);
    } else if let Some(f) = number.as_f64_exact() {
        out.f64(f);
    } else {
        out.str(&number.to_string());
    }
}

impl Encoder {
    pub(super) fn new() -> Self {
        Self {
            out: Writer::new(),
            path: AttributePath::root(),
        }
    }

    fn mismatch(&self, ty: &Type, value: &Value) -> ValueError {
        let expected = match ty {
            Type::Dynamic => "Value::Dynamic (a value with its type) for dynamic type".to_owned(),
            ty => format!("a value of type {ty}"),
        };
        ValueError::mismatch(&self.path, expected, value.kind())
    }

    fn nested(&mut self, step: PathStep, value: &Value, ty: &Type) -> Result<(), ValueError> {
        self.path.push(step);
        let result = self.value(value, ty);
        self.path.pop();
        result
    }

    pub(super) fn value(&mut self, value: &Value, ty: &Type) -> Result<(), ValueError> {
        match (value, ty) {
            (Value::Unknown(unknown), ty) => {
                self.unknown(unknown, ty);
                Ok(())
            }
            (Value::Null, _) => {
                self.out.nil();
                Ok(())
            }
            (Value::Dynamic(concrete, inner), Type::Dynamic) => {
                self.out.array_len(2);
                self.out.bin(concrete.to_json().as_bytes());
                self.value(inner, concrete)
            }
            (Value::String(s), Type::String) => {
                self.out.str(s);
                Ok(())
            }
            (Value::Number(n), Type::Number) => {
                write_number(&mut self.out, n);
                Ok(())
            }
            (Value::Bool(b), Type::Bool) => {
                self.out.bool(*b);
                Ok(())
            }
            (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
                self.out.array_len(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.nested(PathStep::ElementKeyInt(i as i64), item, element)?;
                }
                Ok(())
            }
            (Value::Tuple(items), Type::Tuple(types)) => {
                if items.len() != types.len() {
                    return Err(ValueError::mismatch(
                        &self.path,
                        format!("a tuple of {} elements", types.len()),
                        format!("a tuple of {} elements", items.len()),
                    ));
                }
                self.out.array_len(items.len());
                for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                    self.nested(PathStep::ElementKeyInt(i as i64), item, ty)?;
                }
                Ok(())
            }
            (Value::Map(entries), Type::Map(element)) => {
                self.out.map_len(entries.len());
                for (key, item) in entries {
                    self.out.str(key);
                    self.nested(PathStep::ElementKeyString(key.clone()), item, element)?;
                }
                Ok(())
            }
            (Value::Object(entries), Type::Object(attrs)) => self.object(entries, attrs),
            (value, ty) => Err(self.mismatch(ty, value)),
        }
    }

    fn object(
        &mut self,
        entries: &BTreeMap<String, Value>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), ValueError> {
        if let Some(extra) = entries.keys().find(|name| !attrs.contains_key(*name)) {
            return Err(ValueError::UnsupportedAttribute {
                path: self.path.clone(),
                name: extra.clone(),
            });
        }
        self.out.map_len(attrs.len());
        for (name, ty) in attrs {
            let Some(item) = entries.get(name) else {
                return Err(ValueError::MissingAttribute {
                    path: self.path.clone(),
                    name: name.clone(),
                });
            };
            self.out.str(name);
            self.nested(PathStep::AttributeName(name.clone()), item, ty)?;
        }
        Ok(())
    }

    fn unknown(&mut self, unknown: &Unknown, ty: &Type) {
        match unknown.original() {
            Some(raw) => self.out.ext(raw.code, &raw.data),
            None => refinements::write_unknown(&mut self.out, unknown.refinements(), ty),
        }
    }
}
