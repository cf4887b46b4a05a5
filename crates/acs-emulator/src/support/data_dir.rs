//! The data dir on disk: private to its owner (it holds the access key, the token secret and
//! every message), and used by one emulator at a time.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (owner-only on Unix, also when it already existed) and takes its lock. The
/// lock is held as long as the returned file is open.
///
/// # Errors
/// When the dir cannot be created, or another emulator holds the lock: two writers would
/// overwrite each other's commits.
pub(crate) fn create_dir(dir: &Path) -> io::Result<File> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)?;
    let lock_path = dir.join("acs-emulator.lock");
    create_file(&lock_path)?;
    let lock = OpenOptions::new().write(true).open(&lock_path)?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "another acs-emulator is using the data dir {} (two on one dir would overwrite each other's writes): stop it or use another --data-dir",
                dir.display()
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Creates `path` if it is missing, owner-only (read and write) on Unix; tightens an existing
/// file to the same. SQLite gives its `-wal` and `-shm` files the database file's permissions.
pub(crate) fn create_file(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    restrict(path, 0o600)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            restrict(side, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> io::Result<()> {
    // Windows: the file inherits the ACL of the user's folder it is created in.
    Ok(())
}
