//! Input files: which format, which columns, their batches and their fingerprint.

use std::fs::File;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::io::columns::{Column, Kind};
use crate::io::{csv_source, parquet_source};
use crate::{Error, Result};

/// One column the reader needs: its canonical field, its name in the file and its shape.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    /// Canonical field name, used in messages and reports.
    pub(crate) field: &'static str,
    /// Column name in the file.
    pub(crate) column: String,
    /// What the field needs from the column.
    pub(crate) kind: Kind,
    /// When true, a file without the column reads it as empty in every row (a store without
    /// categories, a members table without a tier); otherwise a missing column is
    /// [`crate::Error::MissingColumn`].
    pub(crate) optional: bool,
}

/// The formats that can be read, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `.csv`: UTF-8, comma-separated, header line, optional byte-order mark.
    Csv,
    /// `.parquet`.
    Parquet,
}

impl FileKind {
    /// The format of `path` by its extension (case-insensitive).
    pub(crate) fn of(path: &Path) -> Result<FileKind> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(FileKind::Csv),
            Some("parquet") => Ok(FileKind::Parquet),
            _ => Err(Error::Format {
                path: path.to_path_buf(),
                message: "unknown file type: expected a .csv or .parquet extension".into(),
            }),
        }
    }
}

/// Calls `on_batch(columns, rows)` for every batch of `path`, with `columns` in `wanted` order.
pub(crate) fn for_each_batch(
    path: &Path,
    kind: FileKind,
    wanted: &[Wanted],
    batch_size: usize,
    on_batch: &mut dyn FnMut(&[Column], usize),
) -> Result<()> {
    match kind {
        FileKind::Csv => csv_source::for_each_batch(path, wanted, batch_size, on_batch),
        FileKind::Parquet => parquet_source::for_each_batch(path, wanted, batch_size, on_batch),
    }
}

/// Opens `path`, naming it in the error.
pub(crate) fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| io_error(path, source))
}

/// An [`Error::Io`] for `path`.
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An [`Error::Format`] for `path`.
pub(crate) fn format_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Format {
        path: PathBuf::from(path),
        message: message.into(),
    }
}

/// SHA-256 of the bytes of `path`, lowercase hex.
pub(crate) fn fingerprint(path: &Path) -> Result<String> {
    let mut file = open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| io_error(path, e))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
