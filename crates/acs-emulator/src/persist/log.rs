//! The commit log in front of SQLite (`DIR/acs-emulator-<n>.log` segments). A write is
//! acknowledged once its rows are appended here: one `write` per request, in the operating
//! system's hands as soon as it returns, so it survives `kill -9` of the emulator (not a power
//! cut, like SQLite's WAL with `synchronous=NORMAL`). The applier takes what was appended, starts
//! a new segment for what follows, writes the records into SQLite and then deletes the segments it
//! applied, so the log stays small under a steady load; at open, every segment is read, the
//! records SQLite has not applied (`meta.log_applied`) are applied, and the segments deleted.
//!
//! Record: a little-endian `u32` length, then that many bytes: the `u64` sequence number and the
//! rows, each a tag byte and its fields (integers as `u64`, strings and bytes length-prefixed;
//! binary, not JSON: the rows' documents are JSON already and would be escaped again). A record
//! cut short by a crash was never acknowledged: it and anything after it in its segment are
//! ignored.

use super::rows::Row;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// One appended batch.
pub(super) struct Record {
    pub(super) seq: u64,
    pub(super) rows: Vec<Row>,
}

pub(super) struct CommitLog {
    dir: std::path::PathBuf,
    /// The segment appended to, and its number.
    file: File,
    segment: u64,
    /// Whether the current segment holds anything.
    written: bool,
    /// The sequence number of the last record appended (or applied before the log was emptied).
    last_seq: u64,
    /// A write to the segment failed: it may end in a cut record, which hides everything after
    /// it at the next open, so nothing more goes into this segment.
    broken: bool,
}

/// A record as appended (length prefix and body). The applier gets these rather than the rows
/// themselves: one buffer per write crosses threads instead of every row's strings, which the
/// allocator would otherwise free on a thread other than the one that allocated them.
pub(super) struct Frame(Vec<u8>);

impl Frame {
    /// The record, read back.
    pub(super) fn record(&self) -> Option<Record> {
        decode(self.0.get(4..)?)
    }
}

fn segment_path(dir: &Path, n: u64) -> std::path::PathBuf {
    dir.join(format!("acs-emulator-{n:010}.log"))
}

/// The segments in `dir`, oldest first.
fn segments(dir: &Path) -> io::Result<Vec<u64>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if let Some(n) = name
            .strip_prefix("acs-emulator-")
            .and_then(|rest| rest.strip_suffix(".log"))
            .and_then(|n| n.parse().ok())
        {
            found.push(n);
        }
    }
    found.sort_unstable();
    Ok(found)
}

fn open_segment(dir: &Path, n: u64) -> io::Result<File> {
    let path = segment_path(dir, n);
    crate::support::data_dir::create_file(&path)?;
    std::fs::OpenOptions::new().append(true).open(path)
}

/// The whole records of one segment.
fn read_segment(path: &Path) -> io::Result<Vec<Record>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    let mut records = Vec::new();
    let mut rest = bytes.as_slice();
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let Some(body) = tail.get(..len) else { break };
        let Some(record) = decode(body) else { break };
        records.push(record);
        rest = &tail[len..];
    }
    Ok(records)
}

impl CommitLog {
    /// Reads every segment in `dir` (the records of a previous run, oldest first) and starts a
    /// new segment after them. Delete the old ones with [`CommitLog::delete_before`] once their
    /// records are in SQLite.
    pub(super) fn open(dir: &Path) -> io::Result<(CommitLog, Vec<Record>)> {
        let existing = segments(dir)?;
        let mut records = Vec::new();
        for n in &existing {
            records.extend(read_segment(&segment_path(dir, *n))?);
        }
        let segment = existing.last().map_or(1, |n| n + 1);
        let last_seq = records.last().map(|r| r.seq).unwrap_or(0);
        let log = CommitLog {
            dir: dir.to_path_buf(),
            file: open_segment(dir, segment)?,
            segment,
            written: false,
            last_seq,
            broken: false,
        };
        Ok((log, records))
    }

    /// Continues numbering after `applied` (what SQLite holds) when the log is empty.
    pub(super) fn continue_after(&mut self, applied: u64) {
        self.last_seq = self.last_seq.max(applied);
    }

    /// Appends one batch; the record as written.
    pub(super) fn append(&mut self, rows: &[Row]) -> io::Result<Frame> {
        if self.broken {
            self.rotate()?;
        }
        let seq = self.last_seq + 1;
        let mut frame = Vec::with_capacity(4096);
        frame.extend_from_slice(&[0; 4]);
        encode(seq, rows, &mut frame);
        let len = u32::try_from(frame.len() - 4).map_err(io::Error::other)?;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        // One write of the whole frame: a crash leaves it whole or cut short, never interleaved.
        self.written = true;
        if let Err(e) = self.file.write_all(&frame) {
            self.broken = true;
            return Err(e);
        }
        self.last_seq = seq;
        Ok(Frame(frame))
    }

    /// Starts a new segment for what is appended next, if the current one holds anything; the
    /// number of the first segment that is not closed (segments before it hold only records
    /// appended so far).
    pub(super) fn rotate(&mut self) -> io::Result<u64> {
        if self.written {
            let next = self.segment + 1;
            self.file = open_segment(&self.dir, next)?;
            self.segment = next;
            self.written = false;
            self.broken = false;
        }
        Ok(self.segment)
    }

    /// Deletes the segments numbered below `segment` (their records are in SQLite).
    pub(super) fn delete_before(&self, segment: u64) -> io::Result<()> {
        for n in segments(&self.dir)? {
            if n < segment {
                std::fs::remove_file(segment_path(&self.dir, n))?;
            }
        }
        Ok(())
    }
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn encode(seq: u64, rows: &[Row], out: &mut Vec<u8>) {
    put_u64(out, seq);
    for row in rows {
        match row {
            Row::User(id, generation) => {
                out.push(0);
                put_bytes(out, id.as_bytes());
                match generation {
                    Some(g) => {
                        out.push(1);
                        put_u64(out, *g);
                    }
                    None => out.push(0),
                }
            }
            Row::Thread(id, doc) => {
                out.push(1);
                put_bytes(out, id.as_bytes());
                put_bytes(out, doc.as_bytes());
            }
            Row::Message(thread, seq, id, doc) => {
                out.push(5);
                put_bytes(out, thread.as_bytes());
                put_u64(out, *seq as u64);
                put_u64(out, *id as u64);
                put_bytes(out, doc.as_bytes());
            }
            Row::Repeatability(caller, token, thread, body) => {
                out.push(3);
                for field in [caller.as_bytes(), token.as_bytes(), thread.as_bytes(), body] {
                    put_bytes(out, field);
                }
            }
            Row::Event(idx, doc) => {
                out.push(4);
                put_u64(out, *idx as u64);
                put_bytes(out, doc.as_bytes());
            }
            Row::Reset => out.push(6),
        }
    }
}

/// Reads what `encode` wrote; `None` for anything else.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u64(&mut self) -> Option<u64> {
        let (n, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*n))
    }
    fn bytes(&mut self) -> Option<Vec<u8>> {
        let len = usize::try_from(self.u64()?).ok()?;
        let bytes = self.0.get(..len)?.to_vec();
        self.0 = &self.0[len..];
        Some(bytes)
    }
    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?).ok()
    }
}

fn decode(body: &[u8]) -> Option<Record> {
    let mut r = Reader(body);
    let seq = r.u64()?;
    let mut rows = Vec::new();
    while !r.0.is_empty() {
        rows.push(match r.u8()? {
            0 => {
                let id = r.text()?;
                let generation = match r.u8()? {
                    1 => Some(r.u64()?),
                    _ => None,
                };
                Row::User(id, generation)
            }
            1 => Row::Thread(r.text()?, r.text()?),
            // Schema 1's message row: the id is in the document.
            2 => {
                let (thread, seq, doc) = (r.text()?, usize::try_from(r.u64()?).ok()?, r.text()?);
                let id = serde_json::from_str::<serde_json::Value>(&doc)
                    .ok()?
                    .get("id")?
                    .as_str()?
                    .parse()
                    .ok()?;
                Row::Message(thread, seq, id, doc)
            }
            3 => Row::Repeatability(r.text()?, r.text()?, r.text()?, r.bytes()?),
            4 => Row::Event(usize::try_from(r.u64()?).ok()?, r.text()?),
            6 => Row::Reset,
            5 => Row::Message(
                r.text()?,
                usize::try_from(r.u64()?).ok()?,
                // The i64 id as written (its bits).
                r.u64()? as i64,
                r.text()?,
            ),
            _ => return None,
        });
    }
    Some(Record { seq, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_a_cut_record_is_ignored_and_segments_rotate() {
        let dir = std::env::temp_dir().join(format!("acs-log-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        {
            let (mut log, records) = CommitLog::open(&dir).unwrap();
            assert!(records.is_empty());
            log.append(&[
                Row::User("u".into(), Some(1)),
                Row::User("gone".into(), None),
            ])
            .unwrap();
            assert_eq!(log.rotate().unwrap(), 2, "a written segment is closed");
            assert_eq!(log.rotate().unwrap(), 2, "an empty one is kept");
            log.append(&[
                Row::Thread("19:t@thread.v2".into(), "{\"topic\":\"é\"}".into()),
                Row::Message("19:t@thread.v2".into(), 7, 1_700_000_000_123, "{}".into()),
                Row::Repeatability(
                    "c".into(),
                    "k".into(),
                    "19:t@thread.v2".into(),
                    vec![0, 255],
                ),
                Row::Event(3, "{}".into()),
                Row::Reset,
            ])
            .unwrap();
        }
        // A crash in the middle of a third append, in segment 2.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(segment_path(&dir, 2))
            .unwrap();
        file.write_all(&100u32.to_le_bytes()).unwrap();
        file.write_all(&3u64.to_le_bytes()).unwrap();
        drop(file);
        let (log, records) = CommitLog::open(&dir).unwrap();
        assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
        assert!(
            matches!(&records[0].rows[..], [Row::User(a, Some(1)), Row::User(b, None)] if a == "u" && b == "gone")
        );
        assert!(
            matches!(&records[1].rows[2], Row::Repeatability(_, _, _, body) if body == &[0, 255])
        );
        assert!(matches!(
            &records[1].rows[1],
            Row::Message(_, 7, 1_700_000_000_123, _)
        ));
        assert!(matches!(records[1].rows.last(), Some(Row::Reset)));
        assert_eq!(log.last_seq, 2);
        assert_eq!(log.segment, 3, "new appends go to a new segment");
        log.delete_before(3).unwrap();
        assert_eq!(segments(&dir).unwrap(), [3]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A log left by a schema 1 emulator (killed before its applier ran) still reads: its
    /// message rows carry the id only in the document.
    #[test]
    fn a_schema_1_message_row_reads_with_the_id_from_its_document() {
        let mut body = Vec::new();
        put_u64(&mut body, 9);
        body.push(2);
        put_bytes(&mut body, b"19:t@thread.v2");
        put_u64(&mut body, 3);
        put_bytes(&mut body, br#"{"id":"1700000000456","type":"text"}"#);
        let record = decode(&body).expect("decodes");
        assert_eq!(record.seq, 9);
        assert!(matches!(
            &record.rows[..],
            [Row::Message(thread, 3, 1_700_000_000_456, _)] if thread == "19:t@thread.v2"
        ));
        // And one whose document has no numeric id is refused, not guessed.
        let mut bad = Vec::new();
        put_u64(&mut bad, 1);
        bad.push(2);
        put_bytes(&mut bad, b"t");
        put_u64(&mut bad, 1);
        put_bytes(&mut bad, b"{}");
        assert!(decode(&bad).is_none());
    }
}
