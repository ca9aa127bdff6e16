//! Append-only JSON-lines files (the event log, the campaign store): one record per line,
//! each acknowledged only after its bytes are on disk.
//!
//! On open, a torn last line (a crash mid-write, never acknowledged) is cut off; any other
//! line that does not parse stops the open with the file and line named.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::{Error, Result};

/// Opens (creating it and its folder) the journal at `path` and reads every complete record;
/// `what` names the journal in errors.
pub fn open<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<(File, Vec<T>)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(Error::io(path))?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(Error::io(path))?;
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    let records = text[..complete]
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| Error::Journal {
                what,
                path: path.to_path_buf(),
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<T>>>()?;
    if complete < text.len() {
        tracing::warn!(path = %path.display(), bytes = text.len() - complete, "cutting a torn last line off the {what}");
        file.set_len(complete as u64).map_err(Error::io(path))?;
        file.seek(SeekFrom::End(0)).map_err(Error::io(path))?;
        file.sync_all().map_err(Error::io(path))?;
    }
    Ok((file, records))
}

/// Appends `bytes` (whole lines) with one write and one `fdatasync`; on failure cuts the file
/// back to where it was, so a failed append leaves no partial record.
pub fn append_synced(file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let written = file.write_all(bytes).and_then(|()| file.sync_data());
    if written.is_err() {
        let _ = file.set_len(len);
    }
    written
}
