//! Bound PDFs (`papers.pdf`, `keys.pdf`, `marking.pdf` of a batch): finished PDFs joined at the
//! PDF level, one at a time, into a file to print in one go.
//!
//! Each document is parsed (lopdf), and only what its pages need is copied: the objects reachable
//! from its root page-tree node, following every reference except the `/Parent` back-links. The
//! catalog, the structure tree, outlines, page labels and names are left behind, and so are the
//! `/StructParents` and `/StructParent` keys that pointed into the structure tree: the bound file
//! is for printing, not for screen readers (each candidate's own PDF keeps its tags). The copied
//! objects are renumbered past those already written and streamed straight to the output, so the
//! binder holds only the byte offset of each object (for the cross-reference table) and the kids
//! of the new root page-tree node: memory stays flat however many documents are bound.
//!
//! The new root node's kids are each document's own root node (its `/Parent` now the new root,
//! so page attributes inherited from it keep working), each followed, when the document has an
//! odd page count, by a blank page of the size of its last page: every document starts on an odd
//! page, so duplex printing never puts two candidates on one sheet.
//!
//! lopdf's object writer is private, so the serialiser is here ([`write_object`]); the file ends
//! with a classic cross-reference table and a trailer whose `/ID` comes from the caller's ident.
//! No clock and no hash-map order: the same documents give the same bytes.

use crate::error::Error;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The object numbers written last, by [`Binder::finish`], but known from the start: the root
/// page-tree node (every document's root node points to it), the catalog and the info dictionary.
const ROOT: u32 = 1;
const CATALOG: u32 = 2;
const INFO: u32 = 3;

/// The PDF version the header claims; a document of a later version raises it in the catalog.
const HEADER_VERSION: (u32, u32) = (1, 7);

/// A bound PDF being written to `W`, one document at a time.
pub struct Binder<W: Write> {
    out: W,
    /// Where the output goes, for error messages.
    path: PathBuf,
    /// Bytes written so far.
    at: u64,
    /// Byte offset of object `n` at index `n - 1`; `None` until it is written.
    offsets: Vec<Option<u64>>,
    /// The kids of the root page-tree node: documents' root nodes and blank pages.
    kids: Vec<u32>,
    /// Pages bound so far, blank ones included.
    pages: i64,
    /// The highest PDF version among the documents.
    version: (u32, u32),
    /// A buffer for one object's bytes, reused.
    buf: Vec<u8>,
}

/// A source document that cannot be bound: named, with what is wrong with it.
fn malformed(source: &Path, what: impl std::fmt::Display) -> Error {
    Error::io(
        "reading",
        source,
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not a PDF groundwork can bind ({what}); was it edited during the run? \
                 Run the batch again to rewrite it"
            ),
        ),
    )
}

impl<W: Write> Binder<W> {
    /// Starts a bound PDF on `out` (which becomes the file at `path`): writes the header.
    pub fn new(out: W, path: &Path) -> Result<Binder<W>, Error> {
        let mut b = Binder {
            out,
            path: path.to_path_buf(),
            at: 0,
            offsets: vec![None; INFO as usize],
            kids: Vec::new(),
            pages: 0,
            version: HEADER_VERSION,
            buf: Vec::new(),
        };
        let (major, minor) = HEADER_VERSION;
        b.emit(format!("%PDF-{major}.{minor}\n").as_bytes())?;
        // A comment of bytes above 127 marks the file as binary for transfer tools.
        b.emit(b"%\x80\x80\x80\x80\n")?;
        Ok(b)
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io("writing", &self.path, e))?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// The next free object number.
    fn next_id(&self) -> u32 {
        self.offsets.len() as u32 + 1
    }

    /// Writes `obj` (its references already in this file's numbering) as indirect object `id`,
    /// allocated before.
    fn write_indirect(&mut self, id: u32, obj: &Object) -> Result<(), Error> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        write_object(&mut buf, obj);
        buf.extend_from_slice(b"\nendobj\n");
        self.offsets[id as usize - 1] = Some(self.at);
        let r = self.emit(&buf);
        self.buf = buf;
        r
    }

    /// Appends the PDF `pdf` (read from `source`, named in errors): its pages, then a blank page
    /// if it has an odd count. Returns the number of its own pages.
    pub fn add(&mut self, pdf: &[u8], source: &Path) -> Result<usize, Error> {
        let mut doc = lopdf::Document::load_mem(pdf).map_err(|e| malformed(source, e))?;
        if doc.trailer.has(b"Encrypt") {
            return Err(malformed(source, "it is encrypted"));
        }
        let root = doc
            .catalog()
            .and_then(|c| c.get(b"Pages"))
            .and_then(Object::as_reference)
            .map_err(|e| malformed(source, format!("no page tree: {e}")))?;
        if !doc.get_dictionary(root).is_ok_and(|d| d.has_type(b"Pages")) {
            return Err(malformed(source, "its page tree is not a /Pages node"));
        }
        let pages: Vec<ObjectId> = doc.page_iter().collect();
        let declared = doc
            .get_dictionary(root)
            .and_then(|d| d.get(b"Count"))
            .and_then(Object::as_i64)
            .ok();
        let Some(&last) = pages.last() else {
            return Err(malformed(source, "it has no pages"));
        };
        if declared != Some(pages.len() as i64) {
            return Err(malformed(
                source,
                format!(
                    "its page tree holds {} pages but says /Count {declared:?}",
                    pages.len()
                ),
            ));
        }
        let media_box = inherited(&doc, last, b"MediaBox")
            .filter(|b| {
                b.as_array()
                    .is_ok_and(|a| a.len() == 4 && a.iter().all(|x| x.as_float().is_ok()))
            })
            .ok_or_else(|| malformed(source, "its last page has no /MediaBox"))?;
        let blank = pages.len() % 2 == 1;
        // What the pages need: everything reachable from the root node but for back-links.
        let mut keep: BTreeSet<ObjectId> = BTreeSet::new();
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            if let Some(obj) = doc.objects.get(&id) {
                if keep.insert(id) {
                    references(obj, &mut todo);
                }
            }
        }
        let first = self.next_id();
        let count = keep.len() as u32 + u32::from(blank);
        let renumbered: BTreeMap<ObjectId, u32> = keep
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, first + i as u32))
            .collect();
        self.offsets
            .resize(self.offsets.len() + count as usize, None);
        for (old, new) in &renumbered {
            let mut obj = doc.objects.remove(old).unwrap_or(Object::Null);
            renumber(&mut obj, &renumbered);
            if *old == root {
                if let Object::Dictionary(d) = &mut obj {
                    d.set("Parent", Object::Reference((ROOT, 0)));
                }
            }
            self.write_indirect(*new, &obj)?;
        }
        self.kids.push(renumbered[&root]);
        self.pages += pages.len() as i64;
        if blank {
            let id = first + keep.len() as u32;
            let mut page = Dictionary::new();
            page.set("Type", Object::Name(b"Page".to_vec()));
            page.set("Parent", Object::Reference((ROOT, 0)));
            page.set("MediaBox", media_box);
            page.set("Resources", Object::Dictionary(Dictionary::new()));
            self.write_indirect(id, &Object::Dictionary(page))?;
            self.kids.push(id);
            self.pages += 1;
        }
        if let Some(v) = parse_version(&doc.version) {
            self.version = self.version.max(v);
        }
        Ok(pages.len())
    }

    /// Writes the root page-tree node, the catalog, the info dictionary (title `title`), the
    /// cross-reference table and the trailer (`/ID` from `ident`), and returns the writer.
    pub fn finish(mut self, title: &str, ident: &str) -> Result<W, Error> {
        let mut root = Dictionary::new();
        root.set("Type", Object::Name(b"Pages".to_vec()));
        root.set(
            "Kids",
            Object::Array(
                self.kids
                    .iter()
                    .map(|k| Object::Reference((*k, 0)))
                    .collect(),
            ),
        );
        root.set("Count", Object::Integer(self.pages));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((ROOT, 0)));
        if self.version > HEADER_VERSION {
            let (major, minor) = self.version;
            catalog.set(
                "Version",
                Object::Name(format!("{major}.{minor}").into_bytes()),
            );
        }
        let mut info = Dictionary::new();
        info.set("Title", text_string(title));
        info.set(
            "Producer",
            text_string(&format!("groundwork {}", env!("CARGO_PKG_VERSION"))),
        );
        for (id, dict) in [(ROOT, root), (CATALOG, catalog), (INFO, info)] {
            self.write_indirect(id, &Object::Dictionary(dict))?;
        }
        let size = self.next_id();
        let mut xref = format!("xref\n0 {size}\n0000000000 65535 f\r\n").into_bytes();
        for at in &self.offsets {
            let at = at.expect("every allocated object is written");
            xref.extend_from_slice(format!("{at:010} 00000 n\r\n").as_bytes());
        }
        let start = self.at;
        self.emit(&xref)?;
        let hash = Sha256::digest(ident.as_bytes());
        let id = Object::String(hash[..16].to_vec(), StringFormat::Hexadecimal);
        let mut trailer = Dictionary::new();
        trailer.set("Size", Object::Integer(i64::from(size)));
        trailer.set("Root", Object::Reference((CATALOG, 0)));
        trailer.set("Info", Object::Reference((INFO, 0)));
        trailer.set("ID", Object::Array(vec![id.clone(), id]));
        let mut tail = b"trailer\n".to_vec();
        write_object(&mut tail, &Object::Dictionary(trailer));
        tail.extend_from_slice(format!("\nstartxref\n{start}\n%%EOF\n").as_bytes());
        self.emit(&tail)?;
        self.out
            .flush()
            .map_err(|e| Error::io("writing", &self.path, e))?;
        Ok(self.out)
    }
}

/// `key` of the page `id` or of the nearest page-tree node above it that has it (inheritance).
fn inherited(doc: &lopdf::Document, mut id: ObjectId, key: &[u8]) -> Option<Object> {
    for _ in 0..64 {
        let d = doc.get_dictionary(id).ok()?;
        if let Ok(v) = d.get(key) {
            return Some(match v {
                Object::Reference(r) => doc.get_object(*r).ok()?.clone(),
                v => v.clone(),
            });
        }
        id = d.get(b"Parent").and_then(Object::as_reference).ok()?;
    }
    None
}

/// The objects `obj` refers to, but for `/Parent` back-links.
fn references(obj: &Object, out: &mut Vec<ObjectId>) {
    match obj {
        Object::Reference(id) => out.push(*id),
        Object::Array(a) => a.iter().for_each(|o| references(o, out)),
        Object::Dictionary(d) => dict_references(d, out),
        Object::Stream(s) => dict_references(&s.dict, out),
        _ => {}
    }
}

fn dict_references(d: &Dictionary, out: &mut Vec<ObjectId>) {
    for (k, v) in d.iter() {
        if k != b"Parent" {
            references(v, out);
        }
    }
}

/// Puts `obj` in the bound file's numbering: each reference renumbered by `map`, or `null` when
/// it points to an object left behind (as a reference to a missing object means); and removes
/// the keys that point into the structure tree, which the bound file does not have.
fn renumber(obj: &mut Object, map: &BTreeMap<ObjectId, u32>) {
    match obj {
        Object::Reference(id) => {
            *obj = match map.get(id) {
                Some(n) => Object::Reference((*n, 0)),
                None => Object::Null,
            }
        }
        Object::Array(a) => a.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(d) => renumber_dict(d, map),
        Object::Stream(s) => renumber_dict(&mut s.dict, map),
        _ => {}
    }
}

fn renumber_dict(d: &mut Dictionary, map: &BTreeMap<ObjectId, u32>) {
    d.remove(b"StructParents");
    d.remove(b"StructParent");
    for (_, v) in d.iter_mut() {
        renumber(v, map);
    }
}

/// `"1.7"` as (1, 7).
fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// A PDF text string: printable ASCII as a literal, anything else as UTF-16BE with a byte-order
/// mark.
fn text_string(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// Serialises `obj` (a direct object, or a stream) into `out`. A stream's `/Length` is set to its
/// bytes' length.
pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            // Rust's shortest round-trip form, never with an exponent (which PDF lacks).
            let r = if r.is_finite() { *r } else { 0.0 };
            out.extend_from_slice(r.to_string().as_bytes());
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, StringFormat::Literal) => {
            out.push(b'(');
            for &b in s {
                match b {
                    b'\\' | b'(' | b')' => out.extend_from_slice(&[b'\\', b]),
                    // A raw carriage return would be read back as a line feed.
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b => out.push(b),
                }
            }
            out.push(b')');
        }
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            for b in s {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, o) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, o);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d, None),
        Object::Stream(s) => {
            write_dict(out, &s.dict, Some(s.content.len()));
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((n, generation)) => {
            out.extend_from_slice(format!("{n} {generation} R").as_bytes())
        }
    }
}

/// A dictionary; with `length`, a stream's, whose `/Length` is that (first, replacing any other).
fn write_dict(out: &mut Vec<u8>, d: &Dictionary, length: Option<usize>) {
    out.extend_from_slice(b"<<");
    if let Some(n) = length {
        out.extend_from_slice(format!("/Length {n}").as_bytes());
    }
    for (k, v) in d.iter() {
        if length.is_some() && k == b"Length" {
            continue;
        }
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

/// A name, with `#XX` for bytes that are not regular characters.
fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if (0x21..0x7f).contains(&b) && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Templates;
    use serde_json::json;

    /// A real paper of `questions` questions, typeset by typst.
    fn paper(title: &str, questions: usize) -> Vec<u8> {
        let q = |n: usize| {
            json!({ "number": n, "code": format!("Q{n}"), "points": 1, "topic": "x", "minutes": 0,
                "needs_computer": false, "parts": [],
                "prompt": [{ "type": "paragraph", "spans": [{ "style": "text",
                    "text": format!("Question {n}. ").repeat(400) }] }] })
        };
        let data = json!({ "view": "paper", "doc": {
            "meta": { "title": title, "code": "C", "seed": 1, "duration": "1 minute",
                "instructions": "", "total_points": questions, "minutes": 0, "generator": "g" },
            "questions": (1..=questions).map(q).collect::<Vec<_>>()
        }});
        crate::export::pdf::typeset(
            Templates::embedded().raw("pdf/pack.typ").unwrap(),
            serde_json::to_vec(&data).unwrap(),
            title,
        )
        .unwrap()
    }

    fn bind(docs: &[&[u8]]) -> Vec<u8> {
        let mut b = Binder::new(Vec::new(), Path::new("bound.pdf")).unwrap();
        for d in docs {
            b.add(d, Path::new("doc.pdf")).unwrap();
        }
        b.finish("Bound · test", "test ident").unwrap()
    }

    /// Each page's content bytes, in page order.
    fn contents(doc: &lopdf::Document) -> Vec<Vec<u8>> {
        doc.page_iter()
            .map(|p| {
                doc.get_page_contents(p)
                    .iter()
                    .flat_map(|c| {
                        doc.get_object(*c)
                            .unwrap()
                            .as_stream()
                            .unwrap()
                            .content
                            .clone()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn bound_pages_are_the_documents_own_with_a_blank_page_after_an_odd_count() {
        let (a, b) = (paper("A", 1), paper("B", 4));
        let (a_doc, b_doc) = (
            lopdf::Document::load_mem(&a).unwrap(),
            lopdf::Document::load_mem(&b).unwrap(),
        );
        let (a_pages, b_pages) = (contents(&a_doc), contents(&b_doc));
        assert!(
            a_pages.len() % 2 == 1 && b_pages.len() % 2 == 0,
            "the test needs an odd then an even document: {} and {} pages",
            a_pages.len(),
            b_pages.len()
        );
        let bound = bind(&[&a, &b, &a]);
        let doc = lopdf::Document::load_mem(&bound).unwrap();
        let pages: Vec<ObjectId> = doc.page_iter().collect();
        let got = contents(&doc);
        let blank = vec![Vec::new()];
        let want: Vec<Vec<u8>> = [&a_pages, &blank, &b_pages, &a_pages, &blank]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want);
        // Every page hangs from the catalog's page tree, each node's /Parent the node whose /Kids
        // list it, so that inherited attributes resolve.
        let top = doc
            .catalog()
            .unwrap()
            .get(b"Pages")
            .unwrap()
            .as_reference()
            .unwrap();
        for p in &pages {
            let mut node = *p;
            while node != top {
                let parent = doc
                    .get_dictionary(node)
                    .unwrap()
                    .get(b"Parent")
                    .and_then(Object::as_reference)
                    .unwrap_or_else(|_| panic!("{node:?} has no /Parent"));
                let kids = doc.get_dictionary(parent).unwrap().get(b"Kids").unwrap();
                assert!(
                    kids.as_array().unwrap().contains(&Object::Reference(node)),
                    "{node:?}'s /Parent does not list it"
                );
                node = parent;
            }
        }
        // The blank page has the size of the page before it, and no content at all.
        let blank_at = a_pages.len();
        let size = |doc: &lopdf::Document, p| inherited(doc, p, b"MediaBox").unwrap();
        assert_eq!(
            size(&doc, pages[blank_at]),
            size(&a_doc, *a_doc.get_pages().values().last().unwrap())
        );
        assert!(doc
            .get_dictionary(pages[blank_at])
            .unwrap()
            .get(b"Contents")
            .is_err());
        // Fonts and other resources came along: every page's resources resolve.
        for p in &pages[..blank_at] {
            let res = inherited(&doc, *p, b"Resources").unwrap();
            let fonts = res.as_dict().unwrap().get(b"Font").unwrap();
            let fonts = match fonts {
                Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
                f => f.as_dict().unwrap(),
            };
            for (_, f) in fonts.iter() {
                let f = doc.get_dictionary(f.as_reference().unwrap()).unwrap();
                assert!(f.has_type(b"Font"), "page {p:?} lost a font");
            }
        }
        // Nothing of the structure tree came along.
        assert!(doc.catalog().unwrap().get(b"StructTreeRoot").is_err());
        assert!(!bound.windows(11).any(|w| w == b"StructParen"));
        assert!(!bound.windows(10).any(|w| w == b"StructElem"));
        let info = doc
            .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
            .unwrap();
        let title = info.get(b"Title").unwrap().as_str().unwrap();
        assert_eq!(title[..2], [0xfe, 0xff], "a non-ASCII title is UTF-16");
        // The same documents, the same bytes.
        assert_eq!(bind(&[&a, &b, &a]), bound);
    }

    #[test]
    fn a_document_that_is_not_a_pdf_is_an_error_that_names_it() {
        let mut b = Binder::new(Vec::new(), Path::new("bound.pdf")).unwrap();
        let mut cut = paper("A", 1);
        cut.truncate(cut.len() / 3);
        for bad in [&b"not a pdf"[..], &cut] {
            let e = b.add(bad, Path::new("papers/ada.pdf")).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("papers/ada.pdf"), "{text}");
            assert!(text.contains("not a PDF groundwork can bind"), "{text}");
        }
    }

    #[test]
    fn objects_are_written_as_pdf_reads_them() {
        let mut d = Dictionary::new();
        d.set("A b", Object::Name(b"x/y#z".to_vec()));
        d.set(
            "S",
            Object::String(b"a(b)\\c\rd".to_vec(), StringFormat::Literal),
        );
        d.set(
            "R",
            Object::Array(vec![
                Object::Real(0.5),
                Object::Real(-12.25),
                Object::Real(1e-6),
                Object::Integer(-3),
                Object::Boolean(true),
                Object::Null,
                Object::Reference((7, 0)),
                Object::Reference((8, 0)),
            ]),
        );
        d.set("StructParents", Object::Integer(3));
        d.set(
            "H",
            Object::String(vec![0, 0xab], StringFormat::Hexadecimal),
        );
        let mut obj = Object::Dictionary(d);
        renumber(&mut obj, &BTreeMap::from([((7, 0), 42)]));
        let mut out = Vec::new();
        write_object(&mut out, &obj);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "<</A#20b /x#2Fy#23z/S (a\\(b\\)\\\\c\\rd)/R [0.5 -12.25 0.000001 -3 true null 42 0 R null]/H <00AB>>>"
        );
    }
}
