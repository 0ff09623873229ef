//! The settings file (profiles and tenants): nothing in it is ever lost.
//!
//! - A file that cannot be read or parsed is never overwritten. Saving stays
//!   refused until the user explicitly starts anew; then the damaged file is
//!   kept beside it as `settings.json.damaged-<timestamp>`.
//! - Every version has an entity tag (a hash of its bytes). A save names the
//!   version it was based on and is refused when the file changed since
//!   (another tab, another `mailprobe serve`, another program).
//! - A save writes a fresh temporary file in the same directory, fsyncs it,
//!   renames it over the file and fsyncs the directory, all under a lock
//!   that every process writing this file takes. Readers see the old or
//!   the new file, never a part. Temporary files a killed writer left
//!   behind are removed under that lock.
//! - The file's mode is kept (a new file is 0600); a symlink is written
//!   through to its target; fields this version does not know are kept,
//!   because the document is stored as the JSON it came as.
//!
//! Blocking IO: the service calls it through `spawn_blocking`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::time::Duration;
use std::path::{Path, PathBuf};

use mailsetup_core::Settings;
use serde_json::Value;

/// The entity tag of a file that does not exist yet.
pub const ABSENT: &str = "\"absent\"";

/// Keys that hold secrets; a document with one of them anywhere is refused
/// rather than stored (a secret never goes into the settings file).
const SECRET_KEYS: &[&str] =
    &["password", "passwort", "kennwort", "access_token", "refresh_token", "client_secret", "code_verifier", "code"];

/// A loaded version of the file.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The document as stored (unknown fields included).
    pub doc: Value,
    /// Its entity tag, quoted as HTTP wants it.
    pub etag: String,
}

/// Why the file could not be loaded or saved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The file exists but cannot be read (permissions, a directory, …).
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why, in English.
        reason: String,
    },
    /// The file was read but is not a settings document.
    Damaged {
        /// The file.
        path: PathBuf,
        /// Why, in English, with the place in the document.
        reason: String,
    },
    /// The file changed since the version the save was based on.
    Stale {
        /// The current entity tag.
        current: String,
    },
    /// What was to be saved is not a settings document, or holds a secret.
    Invalid(String),
    /// Starting anew was asked for, but the file is fine.
    NotDamaged,
    /// Another program holds the file open so that it cannot be replaced
    /// (on Windows: an editor, a virus scanner), for longer than a save waits.
    InUse {
        /// The file.
        path: PathBuf,
    },
    /// Writing failed.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unreadable { path, reason } => write!(f, "{} cannot be read: {reason}", path.display()),
            StoreError::Damaged { path, reason } => write!(f, "{} is damaged: {reason}", path.display()),
            StoreError::Stale { .. } => f.write_str("the settings were changed elsewhere since they were loaded"),
            StoreError::Invalid(why) => write!(f, "not a settings document: {why}"),
            StoreError::NotDamaged => f.write_str("the settings file is not damaged; nothing to start anew"),
            StoreError::InUse { path } => write!(
                f,
                "{} is open in another program, which keeps it from being replaced: close it there, then save again",
                path.display()
            ),
            StoreError::Write { path, reason } => write!(f, "{} could not be written: {reason}", path.display()),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// A stable name for the JSON answer.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreError::Unreadable { .. } => "unreadable",
            StoreError::Damaged { .. } => "damaged",
            StoreError::Stale { .. } => "stale",
            StoreError::Invalid(_) => "invalid",
            StoreError::NotDamaged => "not_damaged",
            StoreError::InUse { .. } => "in_use",
            StoreError::Write { .. } => "write_failed",
        }
    }
}

/// The settings file at one path.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    /// The file at `path` (it need not exist).
    pub fn new(path: PathBuf) -> Self {
        SettingsFile { path }
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current version; an empty document when there is no file yet.
    pub fn load(&self) -> Result<Snapshot, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                Ok(Snapshot { doc: parse(&bytes).map_err(|reason| self.damaged(reason))?, etag: etag(&bytes) })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Snapshot { doc: empty(), etag: ABSENT.into() }),
            Err(e) => Err(StoreError::Unreadable { path: self.path.clone(), reason: e.to_string() }),
        }
    }

    /// Saves `doc` if the file is still at version `if_match`; returns the new tag.
    pub fn save(&self, doc: &Value, if_match: &str) -> Result<String, StoreError> {
        check_document(doc)?;
        let mut bytes = serde_json::to_vec_pretty(doc).map_err(|e| StoreError::Invalid(e.to_string()))?;
        bytes.push(b'\n');
        let target = self.target()?;
        let _lock = self.lock(&target)?;
        let current = self.load()?;
        if current.etag != if_match {
            return Err(StoreError::Stale { current: current.etag });
        }
        write_replacing(&target, &bytes).map_err(|e| self.write_error(e))?;
        Ok(etag(&bytes))
    }

    /// Moves a damaged or unreadable file aside (`…damaged-<timestamp>`) so
    /// that saving can start anew; returns where it was kept.
    pub fn start_anew(&self) -> Result<PathBuf, StoreError> {
        let target = self.target()?;
        let _lock = self.lock(&target)?;
        match self.load() {
            Ok(_) => Err(StoreError::NotDamaged),
            Err(StoreError::Damaged { .. } | StoreError::Unreadable { .. }) => {
                let kept = free_name(&target, &format!("damaged-{}", timestamp()));
                std::fs::rename(&target, &kept).map_err(|e| self.write_error(e))?;
                sync_dir(&target).map_err(|e| self.write_error(e))?;
                Ok(kept)
            }
            Err(e) => Err(e),
        }
    }

    /// Removes temporary files that killed writers left behind.
    pub fn clean_up(&self) -> Result<(), StoreError> {
        let target = self.target()?;
        if target.parent().is_some_and(Path::is_dir) {
            let _lock = self.lock(&target)?;
        }
        Ok(())
    }

    /// Where writes go: the file itself, or the end of its chain of links.
    fn target(&self) -> Result<PathBuf, StoreError> {
        let mut path = self.path.clone();
        for _ in 0..40 {
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    let link = std::fs::read_link(&path).map_err(|e| self.write_error(e))?;
                    path = match path.parent() {
                        Some(dir) => dir.join(link),
                        None => link,
                    };
                }
                _ => return Ok(path),
            }
        }
        Err(self.write_error(std::io::Error::other("too many levels of symbolic links")))
    }

    /// Takes the writers' lock beside `target` and removes stale temporary
    /// files: only a lock holder creates them, so any that exist are left
    /// over from a writer that died.
    fn lock(&self, target: &Path) -> Result<File, StoreError> {
        let dir = parent(target);
        std::fs::create_dir_all(dir).map_err(|e| self.write_error(e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!(".{}.lock", file_name(target))))
            .map_err(|e| self.write_error(e))?;
        lock.lock().map_err(|e| self.write_error(e))?;
        let prefix = temp_prefix(target);
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(lock)
    }

    fn damaged(&self, reason: String) -> StoreError {
        StoreError::Damaged { path: self.path.clone(), reason }
    }

    fn write_error(&self, e: std::io::Error) -> StoreError {
        if held_open(&e) {
            return StoreError::InUse { path: self.path.clone() };
        }
        StoreError::Write { path: self.path.clone(), reason: e.to_string() }
    }
}

fn empty() -> Value {
    serde_json::json!({"profiles": [], "tenants": []})
}

/// The file's bytes as a document: UTF-8 (a byte order mark, as Windows
/// Notepad writes, is fine), JSON, and the shape of a settings document.
fn parse(bytes: &[u8]) -> Result<Value, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    shape(&doc)?;
    Ok(doc)
}

/// Whether `doc` deserializes as a settings document; the error names the place.
fn shape(doc: &Value) -> Result<(), String> {
    if !doc.is_object() {
        return Err("the document is not a JSON object".into());
    }
    serde_path_to_error::deserialize::<_, Settings>(doc).map(drop).map_err(|e| {
        let path = e.path().to_string();
        if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
    })
}

/// What may be saved: a settings document without any secret in it.
fn check_document(doc: &Value) -> Result<(), StoreError> {
    shape(doc).map_err(StoreError::Invalid)?;
    if let Some(key) = secret_key(doc) {
        return Err(StoreError::Invalid(format!("it holds a secret (\"{key}\"), which is never stored")));
    }
    Ok(())
}

fn secret_key(v: &Value) -> Option<&str> {
    match v {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if SECRET_KEYS.iter().any(|s| k.eq_ignore_ascii_case(s)) { Some(k.as_str()) } else { secret_key(v) }
        }),
        Value::Array(items) => items.iter().find_map(secret_key),
        _ => None,
    }
}

/// A strong entity tag: the first 128 bits of the bytes' SHA-256.
fn etag(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let hex: String = digest.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "settings.json".into(), |n| n.to_string_lossy().into_owned())
}

fn temp_prefix(target: &Path) -> String {
    format!(".{}.tmp-", file_name(target))
}

/// `target` with `.suffix` appended, or `.suffix-2`, … when that exists.
fn free_name(target: &Path, suffix: &str) -> PathBuf {
    let base = format!("{}.{suffix}", file_name(target));
    let dir = parent(target);
    let mut candidate = dir.join(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Now in UTC as `YYYYMMDD-HHMMSS`.
fn timestamp() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!("{:04}{:02}{:02}-{:02}{:02}{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// Writes `bytes` to a fresh temporary file beside `target`, with
/// `target`'s permissions (0600 for a new file), fsyncs it, renames it over
/// `target` and fsyncs the directory.
fn write_replacing(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent(target);
    let mut tmp = tempfile::Builder::new().prefix(&temp_prefix(target)).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    match std::fs::metadata(target) {
        Ok(m) => tmp.as_file().set_permissions(m.permissions())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => set_private(tmp.as_file())?,
        Err(e) => return Err(e),
    }
    tmp.as_file().sync_all()?;
    // Windows cannot replace a file another program holds open without
    // sharing deletes; virus scanners and indexers do so for a moment.
    let mut waited = Duration::ZERO;
    loop {
        match tmp.persist(target) {
            Ok(_) => break,
            Err(e) if held_open(&e.error) && waited < HELD_OPEN_WAIT => {
                tmp = e.file;
                std::thread::sleep(HELD_OPEN_STEP);
                waited += HELD_OPEN_STEP;
            }
            // The temporary file goes with `e`: nothing half-written stays.
            Err(e) => return Err(e.error),
        }
    }
    sync_dir(target)
}

/// How long a save waits for a file another program holds open, and how
/// often it tries again meanwhile.
const HELD_OPEN_WAIT: Duration = Duration::from_secs(1);
const HELD_OPEN_STEP: Duration = Duration::from_millis(100);

/// Whether replacing failed because another program holds the file open
/// (Windows: access denied, sharing or lock violation). Elsewhere an open
/// file never keeps a rename from happening.
#[cfg(windows)]
fn held_open(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

#[cfg(not(windows))]
fn held_open(_: &std::io::Error) -> bool {
    false
}

#[cfg(unix)]
fn set_private(file: &File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

/// On Windows a new file inherits the ACLs of its directory, which in
/// `%APPDATA%` belongs to the user alone.
#[cfg(not(unix))]
fn set_private(_: &File) -> std::io::Result<()> {
    Ok(())
}

/// Makes a rename in `target`'s directory durable.
#[cfg(unix)]
fn sync_dir(target: &Path) -> std::io::Result<()> {
    File::open(parent(target))?.sync_all()
}

/// Windows has no directory handle to sync through std; NTFS journals the
/// rename itself.
#[cfg(not(unix))]
fn sync_dir(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"profiles": [{"name": "P", "email": "info@praxis.de", "smtp": {"host": "smtp.praxis.de", "port": 587, "security": "starttls", "username": ""}, "color": "blue"}], "tenants": [], "version_of_a_later_release": 3}"#;

    fn store() -> (tempfile::TempDir, SettingsFile) {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::new(dir.path().join("settings.json"));
        (dir, f)
    }

    #[test]
    fn damaged_files_are_named_with_the_place_and_never_overwritten() {
        let cases: &[(&[u8], &str)] = &[
            (b"{\"profiles\": [],}", "trailing comma"),
            (
                br#"{"profiles": [{"name": "P", "smtp": {"host": "h", "port": "587"}}]}"#,
                "profiles[0].smtp.port: invalid type: string \"587\"",
            ),
            (b"[]", "not a JSON object"),
            (b"\xff\xfe{}", "expected value"),
        ];
        for (bytes, want) in cases {
            let (_dir, f) = store();
            std::fs::write(f.path(), bytes).unwrap();
            match f.load() {
                Err(StoreError::Damaged { reason, .. }) => assert!(reason.contains(want), "{reason} / {want}"),
                other => panic!("{bytes:?}: {other:?}"),
            }
            let saved = f.save(&serde_json::from_str(DOC).unwrap(), ABSENT);
            assert!(matches!(saved, Err(StoreError::Damaged { .. })), "{saved:?}");
            assert_eq!(std::fs::read(f.path()).unwrap(), *bytes, "the damaged file is untouched");
        }
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let (_dir, f) = store();
        std::fs::write(f.path(), [b"\xEF\xBB\xBF".as_slice(), DOC.as_bytes()].concat()).unwrap();
        let s = f.load().unwrap();
        assert_eq!(s.doc["profiles"][0]["name"], "P");
    }

    #[test]
    fn unknown_fields_survive_a_save() {
        let (_dir, f) = store();
        let doc: Value = serde_json::from_str(DOC).unwrap();
        let tag = f.save(&doc, ABSENT).unwrap();
        let back = f.load().unwrap();
        assert_eq!(back.etag, tag);
        assert_eq!(back.doc, doc);
    }

    #[test]
    fn a_stale_version_is_refused() {
        let (_dir, f) = store();
        let doc: Value = serde_json::from_str(DOC).unwrap();
        let first = f.save(&doc, ABSENT).unwrap();
        assert!(matches!(f.save(&doc, ABSENT), Err(StoreError::Stale { current }) if current == first));
        let second = f.save(&empty(), &first).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn secrets_are_refused() {
        let (_dir, f) = store();
        let mut doc: Value = serde_json::from_str(DOC).unwrap();
        doc["profiles"][0]["smtp"]["Password"] = "geheim".into();
        let e = f.save(&doc, ABSENT).unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(m) if m.contains("Password")), "{e}");
        assert!(!f.path().exists());
    }

    #[test]
    fn starting_anew_keeps_the_damaged_file() {
        let (dir, f) = store();
        assert!(matches!(f.start_anew(), Err(StoreError::NotDamaged)));
        std::fs::write(f.path(), "{oops").unwrap();
        let kept = f.start_anew().unwrap();
        assert!(kept.file_name().unwrap().to_string_lossy().starts_with("settings.json.damaged-"));
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "{oops");
        assert_eq!(f.load().unwrap().etag, ABSENT);
        f.save(&empty(), ABSENT).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3, "settings, the kept file, the lock");
    }

    #[cfg(unix)]
    #[test]
    fn mode_and_symlinks_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, f) = store();
        f.save(&empty(), ABSENT).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(f.path()), 0o600, "a new file is private");
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
        let tag = f.load().unwrap().etag;
        f.save(&serde_json::from_str(DOC).unwrap(), &tag).unwrap();
        assert_eq!(mode(f.path()), 0o640);

        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::rename(f.path(), real.join("s.json")).unwrap();
        std::os::unix::fs::symlink("real/s.json", f.path()).unwrap();
        let tag = f.load().unwrap().etag;
        f.save(&empty(), &tag).unwrap();
        assert!(std::fs::symlink_metadata(f.path()).unwrap().file_type().is_symlink());
        assert_eq!(serde_json::from_slice::<Value>(&std::fs::read(real.join("s.json")).unwrap()).unwrap(), empty());
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let (dir, f) = store();
        let stale = dir.path().join(".settings.json.tmp-abc123");
        std::fs::write(&stale, "half").unwrap();
        f.clean_up().unwrap();
        assert!(!stale.exists());
    }
}
