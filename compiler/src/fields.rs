//! A resource's fields: a handful per resource, so a vector sorted by name.
//! With thousands of resources this takes a fraction of a B-tree's memory
//! (each B-tree node has room for eleven entries, however few it holds:
//! 632 bytes for a file's two or three params in the compiler's graph).
//! The compiler's graph holds mcl values in it, the engine JSON.

use std::ops::Index;

#[derive(Clone, Debug, PartialEq)]
pub struct Fields<V>(Vec<(String, V)>);

impl<V> Default for Fields<V> {
    fn default() -> Fields<V> {
        Fields(Vec::new())
    }
}

impl<V> Fields<V> {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(field, _)| field.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.position(name).ok().map(|index| &self.0[index].1)
    }

    /// Where `name` is in name order, if it is there.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.position(name).ok()
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets a field; returns the value it replaces.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match self.position(&name) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, value)),
            Err(index) => {
                self.0.insert(index, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<V> {
        self.position(name).ok().map(|index| self.0.remove(index).1)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(field, _)| field)
    }

    /// `(name, value)` pairs, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
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
impl<V> FromIterator<(String, V)> for Fields<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(pairs: I) -> Fields<V> {
        let mut fields: Vec<(String, V)> = pairs.into_iter().collect();
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

impl<V, const N: usize> From<[(String, V); N]> for Fields<V> {
    fn from(pairs: [(String, V); N]) -> Fields<V> {
        pairs.into_iter().collect()
    }
}

impl<V> Extend<(String, V)> for Fields<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, pairs: I) {
        for (name, value) in pairs {
            self.insert(name, value);
        }
    }
}

impl<V> IntoIterator for Fields<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a Fields<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(field, value)| (field, value))
    }
}

impl<V> Index<&str> for Fields<V> {
    type Output = V;

    fn index(&self, name: &str) -> &V {
        self.get(name)
            .unwrap_or_else(|| panic!("no field `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_map() {
        let mut fields: Fields<&str> = [
            ("mode".to_owned(), "0644"),
            ("content".to_owned(), "a"),
            ("mode".to_owned(), "0600"),
        ]
        .into_iter()
        .collect();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["content", "mode"]);
        assert_eq!(fields["mode"], "0600", "the later value wins");
        assert_eq!(fields.insert("state".into(), "exists"), None);
        assert_eq!(fields.insert("content".into(), "b"), Some("a"));
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            ["content", "mode", "state"]
        );
        assert_eq!(fields.remove("mode"), Some("0600"));
        assert!(!fields.contains_key("mode"));
        assert_eq!(fields.len(), 2);
        fields.extend([("content".to_owned(), "c")]);
        assert_eq!(fields["content"], "c", "extend replaces");
    }
}
