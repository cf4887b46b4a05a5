//! The commit log in front of SQLite (`DIR/acs-emulator.log`). A write is acknowledged once its
//! rows are appended here: one `write` per batch, in the operating system's hands as soon as it
//! returns, so it survives `kill -9` of the emulator (not a power cut, like SQLite's WAL with
//! `synchronous=NORMAL`). A background thread applies the records to SQLite in large
//! transactions and empties the log once SQLite holds all of them; at open, the records SQLite
//! has not applied (`meta.log_applied`) are applied first.
//!
//! Record: a little-endian `u32` length, then that many bytes: the `u64` sequence number and the
//! rows, each a tag byte and its fields (integers as `u64`, strings and bytes length-prefixed;
//! binary, not JSON: the rows' documents are JSON already and would be escaped again). A record
//! cut short by a crash was never acknowledged: it and anything after it are ignored.

use super::Row;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// One appended batch.
pub(super) struct Record {
    pub(super) seq: u64,
    pub(super) rows: Vec<Row>,
}

pub(super) struct CommitLog {
    file: File,
    /// The sequence number of the last record appended (or applied before the log was emptied).
    last_seq: u64,
}

impl CommitLog {
    /// Opens (or creates, owner-only) the log and reads the whole records it holds.
    pub(super) fn open(path: &Path) -> io::Result<(CommitLog, Vec<Record>)> {
        crate::data_dir::create_file(path)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let mut records = Vec::new();
        let mut rest = bytes.as_slice();
        while let Some((len, tail)) = rest.split_first_chunk::<4>() {
            let len = u32::from_le_bytes(*len) as usize;
            let Some(body) = tail.get(..len) else { break };
            let Some(record) = decode(body) else {
                break;
            };
            records.push(record);
            rest = &tail[len..];
        }
        let last_seq = records.last().map(|r| r.seq).unwrap_or(0);
        Ok((CommitLog { file, last_seq }, records))
    }

    /// Continues numbering after `applied` (what SQLite holds) when the log is empty.
    pub(super) fn continue_after(&mut self, applied: u64) {
        self.last_seq = self.last_seq.max(applied);
    }

    /// Appends one batch; its sequence number.
    pub(super) fn append(&mut self, rows: &[Row]) -> io::Result<u64> {
        let seq = self.last_seq + 1;
        let mut frame = vec![0u8; 4];
        encode(seq, rows, &mut frame);
        let len = u32::try_from(frame.len() - 4).map_err(io::Error::other)?;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        // One write of the whole frame: a crash leaves it whole or cut short, never interleaved.
        self.file.write_all(&frame)?;
        self.last_seq = seq;
        Ok(seq)
    }

    /// The last sequence number appended.
    pub(super) fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Empties the log (everything in it is applied).
    pub(super) fn truncate(&mut self) -> io::Result<()> {
        self.file.set_len(0)
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
            Row::Message(thread, seq, doc) => {
                out.push(2);
                put_bytes(out, thread.as_bytes());
                put_u64(out, *seq as u64);
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
            2 => Row::Message(r.text()?, usize::try_from(r.u64()?).ok()?, r.text()?),
            3 => Row::Repeatability(r.text()?, r.text()?, r.text()?, r.bytes()?),
            4 => Row::Event(usize::try_from(r.u64()?).ok()?, r.text()?),
            _ => return None,
        });
    }
    Some(Record { seq, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_cut_record_is_ignored() {
        let dir = std::env::temp_dir().join(format!("acs-log-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("test.log");
        let _ = std::fs::remove_file(&path);
        {
            let (mut log, records) = CommitLog::open(&path).unwrap();
            assert!(records.is_empty());
            log.append(&[
                Row::User("u".into(), Some(1)),
                Row::User("gone".into(), None),
            ])
            .unwrap();
            log.append(&[
                Row::Thread("19:t@thread.v2".into(), "{\"topic\":\"é\"}".into()),
                Row::Message("19:t@thread.v2".into(), 7, "{}".into()),
                Row::Repeatability(
                    "c".into(),
                    "k".into(),
                    "19:t@thread.v2".into(),
                    vec![0, 255],
                ),
                Row::Event(3, "{}".into()),
            ])
            .unwrap();
        }
        // A crash in the middle of a third append.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(&100u32.to_le_bytes()).unwrap();
        file.write_all(&3u64.to_le_bytes()).unwrap();
        drop(file);
        let (mut log, records) = CommitLog::open(&path).unwrap();
        assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
        assert!(
            matches!(&records[0].rows[..], [Row::User(a, Some(1)), Row::User(b, None)] if a == "u" && b == "gone")
        );
        assert!(
            matches!(&records[1].rows[2], Row::Repeatability(_, _, _, body) if body == &[0, 255])
        );
        assert!(matches!(&records[1].rows[1], Row::Message(_, 7, _)));
        assert_eq!(log.last_seq(), 2);
        log.truncate().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
