//! Reading a typed row straight into its record.
//!
//! A typed table's columns carry the names of its record's fields, so one
//! serde deserializer over a row serves every kind: each column is handed to
//! the record's `Deserialize` as the value it holds (BOOLEAN columns as
//! booleans, JSON columns parsed in place), with no JSON document built in
//! between.

use std::fmt;

use rusqlite::types::ValueRef;

use super::Row;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// Why a row does not read back as its record.
#[derive(Debug)]
pub struct RowError(String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl de::Error for RowError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RowError(msg.to_string())
    }
}

/// What the deserializer needs to know of a statement's columns, read
/// once per statement rather than once per row.
pub struct Shape {
    columns: Vec<ColumnShape>,
}

struct ColumnShape {
    name: String,
    boolean: bool,
    json: bool,
}

impl Shape {
    /// The shape of `columns` from `skip` on.
    pub fn of(columns: &[super::Column], skip: usize) -> Shape {
        Shape {
            columns: columns
                .iter()
                .skip(skip)
                .map(|c| ColumnShape {
                    name: c.name.clone(),
                    boolean: c.decl.as_deref() == Some("BOOLEAN"),
                    json: c.decl.as_deref() == Some("JSON"),
                })
                .collect(),
        }
    }
}

/// The columns of a row of a statement whose shape is known, as a record.
pub fn record_shaped<R: DeserializeOwned>(row: &Row<'_>, shape: &Shape) -> Result<R, RowError> {
    let skip = row.len() - shape.columns.len();
    R::deserialize(RowDe { row, skip, shape })
}

struct RowDe<'a, 'r> {
    row: &'a Row<'r>,
    skip: usize,
    shape: &'a Shape,
}

impl<'de> de::Deserializer<'de> for RowDe<'_, '_> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        visitor.visit_map(Columns {
            row: self.row,
            skip: self.skip,
            next: 0,
            shape: self.shape,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Columns<'a, 'r> {
    row: &'a Row<'r>,
    skip: usize,
    next: usize,
    shape: &'a Shape,
}

impl<'de> de::MapAccess<'de> for Columns<'_, '_> {
    type Error = RowError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, RowError> {
        match self.shape.columns.get(self.next) {
            None => Ok(None),
            Some(c) => seed
                .deserialize(c.name.as_str().into_deserializer())
                .map(Some),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, RowError> {
        let shape = self.shape;
        let Some(c) = shape.columns.get(self.next) else {
            return Err(RowError("more values than columns".into()));
        };
        let value = self
            .row
            .value(self.skip + self.next)
            .map_err(|e| RowError(e.to_string()))?;
        self.next += 1;
        seed.deserialize(Column {
            value,
            boolean: c.boolean,
            json: c.json,
        })
        .map_err(|e| RowError(format!("column {}: {e}", c.name)))
    }
}

struct Column<'a> {
    value: ValueRef<'a>,
    boolean: bool,
    json: bool,
}

impl<'de> de::Deserializer<'de> for Column<'_> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            ValueRef::Integer(i) if self.boolean => match i {
                0 => visitor.visit_bool(false),
                1 => visitor.visit_bool(true),
                other => Err(RowError(format!("{other} is not a boolean (0 or 1)"))),
            },
            ValueRef::Integer(i) => visitor.visit_i64(i),
            ValueRef::Real(f) => visitor.visit_f64(f),
            ValueRef::Text(t) if self.json => {
                let value: serde_json::Value =
                    serde_json::from_slice(t).map_err(|e| RowError(e.to_string()))?;
                de::Deserializer::deserialize_any(value, visitor)
                    .map_err(|e| RowError(e.to_string()))
            }
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => visitor.visit_str(s),
                Err(_) => Err(RowError("text that is not UTF-8".into())),
            },
            ValueRef::Blob(b) => Err(RowError(format!("a blob of {} bytes", b.len()))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.value {
            // SQLite stores a whole REAL as an integer when it can.
            ValueRef::Integer(i) => visitor.visit_f64(i as f64),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RowError> {
        match self.value {
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => visitor.visit_enum(s.into_deserializer()),
                Err(_) => Err(RowError("text that is not UTF-8".into())),
            },
            _ => Err(RowError("a name was expected".into())),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}
