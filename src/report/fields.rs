//! The fields of one row that a table shows, read without building the row
//! as a JSON object: a list of thousands of rows needs a few fields of
//! each, and a map per row (its keys, its values, freeing them) cost more
//! than the rest of the answer.

use serde::{
    Serialize,
    ser::{self, Error as _, Impossible},
};

/// Reads the top-level fields named by `keys` of one row (a struct, or a
/// map as `#[serde(flatten)]` makes it), each as JSON, in the order of
/// `keys`; a field the row lacks is `null`. `None` for a value that is not
/// a struct or map.
pub fn fields<T: Serialize>(row: &T, keys: &[&str]) -> Option<Vec<serde_json::Value>> {
    let mut reader = Fields {
        keys,
        values: vec![serde_json::Value::Null; keys.len()],
        pending: None,
    };
    row.serialize(&mut reader).ok()?;
    Some(reader.values)
}

struct Fields<'k> {
    keys: &'k [&'k str],
    values: Vec<serde_json::Value>,
    /// The slot of the map key just read, whose value comes next.
    pending: Option<usize>,
}

impl Fields<'_> {
    fn read<V: Serialize + ?Sized>(&mut self, slot: Option<usize>, value: &V) -> Result<(), Error> {
        if let Some(i) = slot {
            self.values[i] = serde_json::to_value(value)?;
        }
        Ok(())
    }

    fn slot(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| *k == key)
    }
}

type Error = serde_json::Error;

fn not_a_row<T>() -> Result<T, Error> {
    Err(Error::custom("not a struct or map"))
}

/// Every value but a struct or map is refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Error> {
            not_a_row()
        })*
    };
}

impl ser::Serializer for &mut Fields<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Error>;

    refuse! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        not_a_row()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        Ok(self)
    }
}

impl ser::SerializeStruct for &mut Fields<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let slot = self.slot(key);
        self.read(slot, value)
    }

    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Fields<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.pending = match serde_json::to_value(key)? {
            serde_json::Value::String(k) => self.slot(&k),
            _ => None,
        };
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let slot = self.pending.take();
        self.read(slot, value)
    }

    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Inner {
        unit: &'static str,
        limit: f64,
    }

    #[derive(Serialize)]
    struct Row {
        name: String,
        count: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        gone: Option<String>,
        tags: Vec<&'static str>,
        #[serde(flatten)]
        inner: Inner,
    }

    fn row() -> Row {
        Row {
            name: "a".into(),
            count: 3,
            gone: None,
            tags: vec!["x", "y"],
            inner: Inner {
                unit: "ms",
                limit: 2.5,
            },
        }
    }

    #[test]
    fn the_fields_asked_for_read_as_the_whole_row_reads() {
        let keys = ["limit", "name", "gone", "tags", "count", "unit", "nowhere"];
        let whole = serde_json::to_value(row()).expect("row");
        let expected: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| whole.get(k).cloned().unwrap_or_default())
            .collect();
        assert_eq!(fields(&row(), &keys), Some(expected));
        // Without a flattened field, a row is a struct rather than a map.
        assert_eq!(
            fields(&row().inner, &["limit", "unit"]),
            Some(vec![serde_json::json!(2.5), serde_json::json!("ms")])
        );
    }

    #[test]
    fn a_value_that_is_not_a_row_is_refused() {
        assert_eq!(fields(&3, &["a"]), None);
        assert_eq!(fields(&vec![1, 2], &["a"]), None);
        assert_eq!(fields(&"text", &["a"]), None);
    }
}
