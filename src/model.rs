//! The resolved agreement: plain data, in manifest order, with every default applied.
//!
//! This is what the loader produces and every later stage (check, numbering, editions,
//! render, diff, status) reads. It knows nothing of TOML, files on disk, or git.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A whole draft: the agreement, its scheme and editions, and its documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// The agreement's title.
    pub title: String,
    /// Its date, as written in the manifest.
    pub date: Option<String>,
    /// The parties, in manifest order.
    pub parties: Vec<Party>,
    /// The classification scheme.
    pub scheme: Scheme,
    /// The editions, in manifest order (or the default pair).
    pub editions: Vec<Edition>,
    /// The documents, in manifest order.
    pub documents: Vec<Document>,
}

/// A party to the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Its id, as used in `positions`.
    pub id: String,
    /// Its display name (the id when the manifest gives none).
    pub name: String,
}

/// An index into [`Scheme::levels`]: higher is more restricted.
pub type Level = usize;

/// Classification levels, lowest first, with their portion marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Level names, lowest first.
    pub levels: Vec<String>,
    /// Portion marks, one per level.
    pub marks: Vec<String>,
    /// The level of a clause that names none and belongs to no annex with one.
    pub default: Level,
}

impl Default for Scheme {
    fn default() -> Self {
        Scheme {
            levels: ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
                .map(String::from)
                .into(),
            marks: ["U", "C", "S", "TS"].map(String::from).into(),
            default: 0,
        }
    }
}

impl Scheme {
    /// The level named `name`, if the scheme has it (exact spelling).
    pub fn level(&self, name: &str) -> Option<Level> {
        self.levels.iter().position(|l| l == name)
    }

    /// The name of a level.
    pub fn name(&self, level: Level) -> &str {
        self.levels.get(level).map(String::as_str).unwrap_or("")
    }

    /// The portion mark of a level.
    pub fn mark(&self, level: Level) -> &str {
        self.marks.get(level).map(String::as_str).unwrap_or("")
    }

    /// The highest level.
    pub fn top(&self) -> Level {
        self.levels.len().saturating_sub(1)
    }
}

/// One edition: the clauses at or below `max` (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    /// Its name, also its folder under `publish --out`.
    pub name: String,
    /// The highest level it includes.
    pub max: Level,
    /// Whether status, positions and notes are shown.
    pub annotations: bool,
    /// Whether placeholders say at which level a part is withheld.
    pub name_withheld_level: bool,
}

/// A document of the agreement, with its clauses and annexes.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The numbering pattern, such as `Point {n}`.
    pub numbering: String,
    /// Its clauses, in manifest order.
    pub clauses: Vec<Arc<Clause>>,
    /// Headings that structure its clauses (parts, chapters), in order.
    pub headings: Vec<Heading>,
    /// The level of clause headings in the source text (imported documents).
    pub heading_level: Option<u8>,
    /// Its annexes, in manifest order.
    pub annexes: Vec<Annex>,
}

/// A heading between clauses: structure above the clauses, such as "Part II".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// How many of the document's clauses come before it.
    pub before: usize,
    /// Its level, 1 to 6.
    pub level: u8,
    /// Its text.
    pub text: String,
}

/// An annex of a document, labelled Annex A, B, ... in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Annex {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its level: the highest of its own and its clauses'.
    pub level: Level,
    /// Its clauses, in manifest order.
    pub clauses: Vec<Arc<Clause>>,
}

/// Where a negotiation stands on a clause (SPEC §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being written.
    Draft,
    /// Put to the other parties.
    Proposed,
    /// Text in dispute.
    Bracketed,
    /// Agreed by the negotiators, subject to their governments.
    AgreedAdReferendum,
    /// Initialled by the negotiators.
    Initialled,
    /// Agreed.
    Agreed,
    /// Dropped: kept for history, neither rendered nor numbered.
    Withdrawn,
}

impl Status {
    /// Every status, in the order of the negotiation, `withdrawn` last (reports count the rest).
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Proposed,
        Status::Bracketed,
        Status::AgreedAdReferendum,
        Status::Initialled,
        Status::Agreed,
        Status::Withdrawn,
    ];

    /// Its spelling in front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Proposed => "proposed",
            Status::Bracketed => "bracketed",
            Status::AgreedAdReferendum => "agreed-ad-referendum",
            Status::Initialled => "initialled",
            Status::Agreed => "agreed",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// Parses a front-matter spelling.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A party's position on a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// The party agrees.
    Agrees,
    /// The party objects.
    Objects,
    /// The party reserves its position.
    Reserves,
    /// The party has not answered.
    Pending,
}

impl Position {
    /// Every position.
    pub const ALL: [Position; 4] = [
        Position::Agrees,
        Position::Objects,
        Position::Reserves,
        Position::Pending,
    ];

    /// Its spelling in front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Agrees => "agrees",
            Position::Objects => "objects",
            Position::Reserves => "reserves",
            Position::Pending => "pending",
        }
    }

    /// Parses a front-matter spelling.
    pub fn parse(s: &str) -> Option<Position> {
        Position::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Party id → position, sorted by party id: shared, not copied, by the clause, its views
/// and the status report, whose copies were `status`'s largest memory after the clause
/// texts (12 MB at 10,000 clauses).
pub type Positions = Arc<PositionMap>;

/// A clause's notes or tags, shared by every projection and view of it rather than copied:
/// a clause of the sample has three, each a string, which every projection of the whole
/// draft made anew.
pub type Strings = Arc<[String]>;

/// No notes or tags, one allocation for every clause that has none (most have no notes).
pub fn no_strings() -> Strings {
    static NONE: std::sync::OnceLock<Strings> = std::sync::OnceLock::new();
    Arc::clone(NONE.get_or_init(|| Arc::from([])))
}

/// Notes or tags read back from the cache, made shared at once; an empty list as
/// [`no_strings`].
pub(crate) fn shared_strings<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Strings, D::Error> {
    let list = Vec::<String>::deserialize(deserializer)?;
    Ok(if list.is_empty() {
        no_strings()
    } else {
        list.into()
    })
}

/// A title read back from the cache, made shared from the text read rather than from a
/// copy of it: a cached `diff` reads one for every clause of both versions.
pub(crate) fn shared_title<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Arc<str>>, D::Error> {
    struct Text(Arc<str>);
    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
            struct Visitor;
            impl serde::de::Visitor<'_> for Visitor {
                type Value = Text;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text, E> {
                    Ok(Text(Arc::from(text)))
                }
            }
            deserializer.deserialize_str(Visitor)
        }
    }
    Ok(Option::<Text>::deserialize(deserializer)?.map(|t| t.0))
}

/// Party id → position, sorted by party id, written and read as a map. A sorted vector
/// of the few parties a clause names rather than a `BTreeMap`, whose every map of even one
/// entry takes a 300-byte node: 2 MB at 10,000 clauses, held from loading to the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionMap(Vec<(String, Position)>);

impl PositionMap {
    /// Sets `party`'s position, replacing the one it had.
    pub fn insert(&mut self, party: String, position: Position) {
        match self.0.binary_search_by(|(p, _)| p.as_str().cmp(&party)) {
            Ok(k) => {
                if let Some(entry) = self.0.get_mut(k) {
                    entry.1 = position;
                }
            }
            Err(k) => self.0.insert(k, (party, position)),
        }
    }

    /// `party`'s position.
    pub fn get(&self, party: &str) -> Option<&Position> {
        let k = self
            .0
            .binary_search_by(|(p, _)| p.as_str().cmp(party))
            .ok()?;
        self.0.get(k).map(|(_, position)| position)
    }

    /// Every party and its position, by party id.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Position)> {
        self.0.iter().map(|(party, position)| (party, position))
    }

    /// The parties, by id.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(party, _)| party)
    }

    /// The positions, by party id.
    pub fn values(&self) -> impl Iterator<Item = &Position> {
        self.0.iter().map(|(_, position)| position)
    }

    /// How many parties have a position.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no party has one.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for PositionMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (party, position) in &self.0 {
            map.serialize_entry(party, position)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PositionMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PositionsVisitor)
    }
}

/// Reads a map of positions straight into the sorted vector: through a `BTreeMap` first, each
/// clause read back from the cache took a node of 300 bytes for a moment.
struct PositionsVisitor;

impl<'de> serde::de::Visitor<'de> for PositionsVisitor {
    type Value = PositionMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of party ids to positions")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<PositionMap, A::Error> {
        let mut out = PositionMap::default();
        while let Some((party, position)) = map.next_entry()? {
            out.insert(party, position);
        }
        Ok(out)
    }
}

/// Positions read back from the cache, one map shared by every clause that holds the same:
/// most clauses of a draft hold one of a few, and a map of its own for each was a tenth of
/// what a cached `diff` held at 10,000 clauses. The maps seen last on this thread are kept
/// to be shared (a few, each of a few parties).
pub(crate) fn shared_positions<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Positions, D::Error> {
    const KEPT: usize = 16;
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<Positions>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let map = PositionMap::deserialize(deserializer)?;
    Ok(SEEN.with_borrow_mut(|seen| {
        if let Some(k) = seen.iter().position(|p| **p == map) {
            // Most recently seen first, where the next clause most likely finds it.
            seen[..=k].rotate_right(1);
            return Arc::clone(&seen[0]);
        }
        let shared = Arc::new(map);
        seen.truncate(KEPT - 1);
        seen.insert(0, Arc::clone(&shared));
        shared
    }))
}

/// One clause: its metadata and its Markdown body.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// Its stable id.
    pub id: String,
    /// Its file, relative to the draft root.
    pub path: Arc<str>,
    /// Its heading.
    pub title: Option<Arc<str>>,
    /// A fixed designation replacing the automatic number.
    pub label: Option<String>,
    /// Its negotiation status.
    pub status: Status,
    /// Its classification level.
    pub level: Level,
    /// Party id → position, sorted by party id.
    pub positions: Positions,
    /// Drafters' notes.
    pub notes: Strings,
    /// Free tags.
    pub tags: Strings,
    /// The Markdown body.
    pub body: Body,
    /// Where the body starts in the file, so body spans can point into the file.
    pub body_offset: usize,
    /// Where the `id` or file stem could be pointed at (for id diagnostics).
    pub id_span: Option<Range<usize>>,
}

impl Agreement {
    /// Every clause of every document and annex, in manifest order, with where it sits.
    pub fn clauses(&self) -> impl Iterator<Item = (&Document, Option<&Annex>, &Clause)> {
        self.documents.iter().flat_map(|doc| {
            doc.clauses.iter().map(move |c| (doc, None, &**c)).chain(
                doc.annexes
                    .iter()
                    .flat_map(move |a| a.clauses.iter().map(move |c| (doc, Some(a), &**c))),
            )
        })
    }

    /// The edition named `name`.
    pub fn edition(&self, name: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.name == name)
    }
}

/// A clause's Markdown body: the end of its file's text, shared by the file (kept to show
/// problems), the model and every projection of it, so that no stage copies it.
#[derive(Clone, Default)]
pub struct Body {
    /// `None` for an empty body, which takes no allocation: the cache's clauses whose
    /// bodies a comparison does not read are many.
    text: Option<Arc<String>>,
    start: usize,
}

impl Body {
    /// The text of `file` from byte `start` (empty if that is not a character boundary).
    pub fn within(file: Arc<String>, start: usize) -> Body {
        let start = if file.is_char_boundary(start) {
            start
        } else {
            file.len()
        };
        Body {
            text: Some(file),
            start,
        }
    }

    /// The body as text.
    pub fn as_str(&self) -> &str {
        (self.text.as_deref())
            .and_then(|text| text.get(self.start..))
            .unwrap_or_default()
    }
}

impl Deref for Body {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::within(Arc::new(text), 0)
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::from(text.to_string())
    }
}

/// Bodies are equal when their texts are, wherever each is kept.
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Body {}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_the_end_of_its_file_and_equals_any_body_of_the_same_text() {
        let file = Arc::new("+++\ntitle = \"T\"\n+++\n\nThe text.\n".to_string());
        let body = Body::within(Arc::clone(&file), 20);
        assert_eq!(body.as_str(), "\nThe text.\n");
        assert_eq!(body, Body::from("\nThe text.\n"), "equal texts, kept apart");
        assert_ne!(body, Body::within(file, 21));
        // Inside a character: no text rather than a panic.
        assert_eq!(Body::within(Arc::new("é".to_string()), 1).as_str(), "");
        // A body never read (from the cache) is empty, and equals any empty one.
        assert_eq!(
            (Body::default().as_str(), Body::default()),
            ("", Body::from(""))
        );
    }

    #[test]
    fn positions_are_kept_by_party_and_written_as_the_map_they_replace() {
        use std::collections::BTreeMap;
        let mut positions = PositionMap::default();
        let mut map = BTreeMap::new();
        for (party, position) in [
            ("corvassa", Position::Objects),
            ("arden", Position::Agrees),
            ("belmora", Position::Reserves),
            ("arden", Position::Pending),
        ] {
            positions.insert(party.to_string(), position);
            map.insert(party.to_string(), position);
        }
        let parties: Vec<&String> = positions.keys().collect();
        assert_eq!(parties, ["arden", "belmora", "corvassa"]);
        assert_eq!(positions.get("arden"), Some(&Position::Pending));
        assert_eq!(positions.get("dalmar"), None);
        let json = serde_json::to_string(&positions).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        let back: PositionMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, positions);
        let bytes = postcard::to_allocvec(&map).unwrap();
        assert_eq!(
            postcard::from_bytes::<PositionMap>(&bytes).unwrap(),
            positions
        );
    }

    #[test]
    fn positions_read_back_are_shared_by_the_clauses_that_hold_the_same() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Held(#[serde(deserialize_with = "shared_positions")] Positions);
        let of = |parties: &[(&str, Position)]| {
            let mut map = PositionMap::default();
            for (party, position) in parties {
                map.insert(party.to_string(), *position);
            }
            Held(Arc::new(map))
        };
        let agreed = [("arden", Position::Agrees), ("belmora", Position::Agrees)];
        let objected = [("arden", Position::Agrees), ("belmora", Position::Objects)];
        let written = vec![of(&agreed), of(&objected), of(&agreed), of(&[])];
        let bytes = postcard::to_allocvec(&written).unwrap();
        let read: Vec<Held> = postcard::from_bytes(&bytes).unwrap();
        for (read, written) in read.iter().zip(&written) {
            assert_eq!(read.0, written.0);
        }
        assert!(Arc::ptr_eq(&read[0].0, &read[2].0), "the same map, shared");
        assert!(!Arc::ptr_eq(&read[0].0, &read[1].0));
        assert_eq!(read[1].0.get("belmora"), Some(&Position::Objects));
    }
}
