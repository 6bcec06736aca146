//! A resource's fields as the engine keeps them: a handful per resource, so
//! a vector sorted by name. With thousands of resources this takes a
//! fraction of a B-tree's memory (each B-tree node has room for eleven
//! entries, however few it holds).

use serde_json::Value as Json;
use std::ops::Index;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Vec<(String, Json)>);

impl Fields {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(field, _)| field.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&Json> {
        self.position(name).ok().map(|index| &self.0[index].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets a field; returns the value it replaces.
    pub fn insert(&mut self, name: String, value: Json) -> Option<Json> {
        match self.position(&name) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, value)),
            Err(index) => {
                self.0.insert(index, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Json> {
        self.position(name).ok().map(|index| self.0.remove(index).1)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(field, _)| field)
    }

    /// `(name, value)` pairs, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter().map(|(field, value)| (field, value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Later values of a name win, as with a map.
impl FromIterator<(String, Json)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, Json)>>(pairs: I) -> Fields {
        let mut fields: Vec<(String, Json)> = pairs.into_iter().collect();
        if !fields.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable, so equal names keep their order; keep the last of each.
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            fields.reverse();
            fields.dedup_by(|later, earlier| later.0 == earlier.0);
            fields.reverse();
        }
        fields.shrink_to_fit();
        Fields(fields)
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a String, &'a Json);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Json)>,
        fn(&'a (String, Json)) -> (&'a String, &'a Json),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(field, value)| (field, value))
    }
}

impl Index<&str> for Fields {
    type Output = Json;

    fn index(&self, name: &str) -> &Json {
        self.get(name)
            .unwrap_or_else(|| panic!("no field `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn behaves_like_a_sorted_map() {
        let mut fields: Fields = [
            ("mode".to_owned(), json!("0644")),
            ("content".to_owned(), json!("a")),
            ("mode".to_owned(), json!("0600")),
        ]
        .into_iter()
        .collect();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["content", "mode"]);
        assert_eq!(fields["mode"], json!("0600"), "the later value wins");
        assert_eq!(fields.insert("state".into(), json!("exists")), None);
        assert_eq!(
            fields.insert("content".into(), json!("b")),
            Some(json!("a"))
        );
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            ["content", "mode", "state"]
        );
        assert_eq!(fields.remove("mode"), Some(json!("0600")));
        assert!(!fields.contains_key("mode"));
        assert_eq!(fields.len(), 2);
    }
}
