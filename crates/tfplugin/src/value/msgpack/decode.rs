//! Type-driven msgpack decoding (cty `msgpack.Unmarshal`).

use std::collections::BTreeMap;

use super::reader::{Item, ReadError, Reader};
use super::refinements;
use crate::value::path::PathStep;
use crate::value::unknown::RawExtension;
use crate::value::{AttributePath, MAX_DEPTH, Number, Type, Unknown, Value, ValueError};

pub(super) struct Decoder<'a> {
    reader: Reader<'a>,
    path: AttributePath,
    depth: usize,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(input: &'a [u8], path: AttributePath) -> Self {
        Self {
            reader: Reader::new(input),
            path,
            depth: 0,
        }
    }

    pub(super) fn remaining(&self) -> usize {
        self.reader.remaining()
    }

    pub(super) fn reader(&mut self) -> &mut Reader<'a> {
        &mut self.reader
    }

    pub(super) fn read_error(&self, error: ReadError) -> ValueError {
        match error {
            ReadError::Truncated => ValueError::Truncated {
                path: self.path.clone(),
            },
            ReadError::ReservedMarker => {
                ValueError::mismatch(&self.path, "a msgpack value", "the reserved byte 0xc1")
            }
        }
    }

    pub(super) fn next(&mut self) -> Result<Item<'a>, ValueError> {
        self.reader.next().map_err(|e| self.read_error(e))
    }

    fn mismatch(&self, expected: &str, found: &Item<'_>) -> ValueError {
        ValueError::mismatch(&self.path, expected, found.describe())
    }

    /// Decodes one value of type `ty`.
    pub(super) fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        if self.depth >= MAX_DEPTH {
            return Err(ValueError::TooDeep {
                path: self.path.clone(),
                limit: MAX_DEPTH,
            });
        }
        self.depth += 1;
        let result = self.value_inner(ty);
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, ty: &Type) -> Result<Value, ValueError> {
        let item = self.next()?;
        if let Item::Ext(code, data) = item {
            return self.unknown(ty, code, data);
        }
        if *ty == Type::Dynamic {
            return self.dynamic(item);
        }
        if item == Item::Nil {
            return Ok(Value::Null);
        }
        match ty {
            Type::String => match item {
                Item::Str(bytes) | Item::Bin(bytes) => self.utf8(bytes).map(Value::String),
                other => Err(self.mismatch("a string", &other)),
            },
            Type::Number => self.number(item).map(Value::Number),
            Type::Bool => match item {
                Item::Bool(b) => Ok(Value::Bool(b)),
                other => Err(self.mismatch("a bool", &other)),
            },
            Type::List(element) => self.elements(item, element, "a list").map(Value::List),
            Type::Set(element) => self.elements(item, element, "a set").map(Value::Set),
            Type::Tuple(types) => self.tuple(item, types).map(Value::Tuple),
            Type::Map(element) => self.map(item, element).map(Value::Map),
            Type::Object(attrs) => self.object(item, attrs).map(Value::Object),
            Type::Dynamic => unreachable!("dynamic handled above"),
        }
    }

    fn utf8(&self, bytes: &[u8]) -> Result<String, ValueError> {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| ValueError::mismatch(&self.path, "a UTF-8 string", "invalid UTF-8 bytes"))
    }

    pub(super) fn number(&self, item: Item<'_>) -> Result<Number, ValueError> {
        let not_a_number = |found: &str| ValueError::mismatch(&self.path, "a number", found);
        match item {
            Item::Int(i) => Ok(i.into()),
            Item::UInt(u) => Ok(u.into()),
            Item::F32(f) => Number::from_f64_exact(f.into()).ok_or_else(|| not_a_number("NaN")),
            Item::F64(f) => Number::from_f64_exact(f).ok_or_else(|| not_a_number("NaN")),
            Item::Str(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| not_a_number("invalid UTF-8"))?;
                Number::parse(text).map_err(|e| e.at(&self.path))
            }
            other => Err(self.mismatch("a number", &other)),
        }
    }

    fn elements(
        &mut self,
        item: Item<'_>,
        element: &Type,
        expected: &str,
    ) -> Result<Vec<Value>, ValueError> {
        let Item::Array(len) = item else {
            return Err(self.mismatch(expected, &item));
        };
        self.check_len(len)?;
        let mut values = Vec::with_capacity(len);
        for i in 0..len {
            self.path.push(PathStep::ElementKeyInt(i as i64));
            let value = self.value(element);
            self.path.pop();
            values.push(value?);
        }
        Ok(values)
    }

    fn tuple(&mut self, item: Item<'_>, types: &[Type]) -> Result<Vec<Value>, ValueError> {
        match item {
            Item::Array(len) if len == types.len() => {}
            other => {
                let expected = format!("a tuple of {} elements", types.len());
                return Err(self.mismatch(&expected, &other));
            }
        }
        let mut values = Vec::with_capacity(types.len());
        for (i, ty) in types.iter().enumerate() {
            self.path.push(PathStep::ElementKeyInt(i as i64));
            let value = self.value(ty);
            self.path.pop();
            values.push(value?);
        }
        Ok(values)
    }

    /// Refuses lengths the remaining input cannot possibly hold (each entry takes a byte).
    fn check_len(&self, len: usize) -> Result<(), ValueError> {
        if len > self.reader.remaining() {
            return Err(ValueError::Truncated {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    fn key(&mut self) -> Result<String, ValueError> {
        match self.next()? {
            Item::Str(bytes) | Item::Bin(bytes) => self.utf8(bytes),
            other => Err(self.mismatch("a string key", &other)),
        }
    }

    fn map(
        &mut self,
        item: Item<'_>,
        element: &Type,
    ) -> Result<BTreeMap<String, Value>, ValueError> {
        let Item::Map(len) = item else {
            return Err(self.mismatch("a map", &item));
        };
        self.check_len(len)?;
        let mut entries = BTreeMap::new();
        for _ in 0..len {
            let key = self.key()?;
            if entries.contains_key(&key) {
                return Err(ValueError::DuplicateKey {
                    path: self.path.clone(),
                    key,
                });
            }
            self.path.push(PathStep::ElementKeyString(key.clone()));
            let value = self.value(element);
            self.path.pop();
            entries.insert(key, value?);
        }
        Ok(entries)
    }

    fn object(
        &mut self,
        item: Item<'_>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<BTreeMap<String, Value>, ValueError> {
        let Item::Map(len) = item else {
            return Err(self.mismatch("an object", &item));
        };
        self.check_len(len)?;
        let mut entries = BTreeMap::new();
        for _ in 0..len {
            let name = self.key()?;
            let Some(attr_type) = attrs.get(&name) else {
                return Err(ValueError::UnsupportedAttribute {
                    path: self.path.clone(),
                    name,
                });
            };
            if entries.contains_key(&name) {
                return Err(ValueError::DuplicateKey {
                    path: self.path.clone(),
                    key: name,
                });
            }
            self.path.push(PathStep::AttributeName(name.clone()));
            let value = self.value(attr_type);
            self.path.pop();
            entries.insert(name, value?);
        }
        if let Some(missing) = attrs.keys().find(|name| !entries.contains_key(*name)) {
            return Err(ValueError::MissingAttribute {
                path: self.path.clone(),
                name: missing.clone(),
            });
        }
        Ok(entries)
    }

    /// `[type JSON, value]`, bare nil (null of unknown type); bare extensions are handled by
    /// the caller.
    fn dynamic(&mut self, item: Item<'_>) -> Result<Value, ValueError> {
        match item {
            Item::Nil => return Ok(Value::Null),
            Item::Array(2) => {}
            other => return Err(self.mismatch("a [type, value] pair for a dynamic value", &other)),
        }
        let type_json = match self.next()? {
            Item::Bin(bytes) | Item::Str(bytes) => bytes,
            other => return Err(self.mismatch("type JSON (msgpack bin or str)", &other)),
        };
        let ty = Type::from_json(type_json).map_err(|e| ValueError::InvalidDynamicType {
            path: self.path.clone(),
            source: Box::new(e),
        })?;
        let value = self.value(&ty)?;
        Ok(Value::Dynamic(ty, Box::new(value)))
    }

    /// Any extension is an unknown value. Refinements (extension 12) are read per cty's rules;
    /// the original bytes are kept when they differ from the canonical encoding.
    fn unknown(&mut self, ty: &Type, code: i8, data: &[u8]) -> Result<Value, ValueError> {
        let parsed = if code == refinements::EXT_REFINED && data.len() > 1 && *ty != Type::Dynamic {
            refinements::parse(data, ty, &self.path)?
        } else {
            Default::default()
        };
        let mut canonical = super::writer::Writer::new();
        refinements::write_unknown(&mut canonical, &parsed, ty);
        let mut raw = super::writer::Writer::new();
        raw.ext(code, data);
        let original = (raw.out != canonical.out).then(|| RawExtension {
            code,
            data: data.to_vec(),
        });
        Ok(Value::Unknown(Unknown::from_wire(parsed, original)))
    }
}
