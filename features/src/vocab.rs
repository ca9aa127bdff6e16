//! String interning for member, item and category ids.

use rustc_hash::FxHashMap;

/// A set of strings with dense `u32` ids.
///
/// While building, ids follow first appearance; [`Vocab::into_sorted`] renumbers them in byte
/// order of the strings, so that the final ids do not depend on the order the input was read in.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    names: Vec<Box<str>>,
    index: FxHashMap<Box<str>, u32>,
}

impl Vocab {
    /// An empty vocabulary.
    pub fn new() -> Vocab {
        Vocab::default()
    }

    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct ids");
        let boxed: Box<str> = name.into();
        self.names.push(boxed.clone());
        self.index.insert(boxed, id);
        id
    }

    /// The id of `name`, if present.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The string of an id.
    ///
    /// # Panics
    /// If `id` is not in the vocabulary.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All strings, in id order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }

    /// Renumbers ids in byte order of the strings; returns the new vocabulary and the map
    /// `old id -> new id`.
    pub fn into_sorted(self) -> (Vocab, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut names = self.names;
        let mut sorted: Vec<Box<str>> = Vec::with_capacity(names.len());
        for &old in &order {
            sorted.push(std::mem::take(&mut names[old as usize]));
        }
        let index = sorted
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        (
            Vocab {
                names: sorted,
                index,
            },
            remap,
        )
    }
}

impl FromIterator<String> for Vocab {
    fn from_iter<T: IntoIterator<Item = String>>(iter: T) -> Self {
        let mut v = Vocab::new();
        for s in iter {
            v.intern(&s);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_renumbers_by_string_and_reports_the_remap() {
        let mut v = Vocab::new();
        assert_eq!(v.intern("茶"), 0);
        assert_eq!(v.intern("b"), 1);
        assert_eq!(v.intern("a"), 2);
        assert_eq!(v.intern("b"), 1);
        let (sorted, remap) = v.into_sorted();
        assert_eq!(sorted.names().collect::<Vec<_>>(), ["a", "b", "茶"]);
        assert_eq!(remap, [2, 1, 0]);
        assert_eq!(sorted.get("茶"), Some(2));
    }
}
