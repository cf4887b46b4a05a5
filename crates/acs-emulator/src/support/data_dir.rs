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
    builder
        .create(dir)
        .map_err(named(dir, "create the data dir"))?;
    restrict(dir, 0o700).map_err(named(dir, "make the data dir private (mode 700)"))?;
    let lock_path = dir.join("acs-emulator.lock");
    create_file(&lock_path)?;
    let lock = OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .map_err(named(&lock_path, "open"))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "another acs-emulator is using the data dir {} (two on one dir would overwrite each other's writes): stop it or use another --data-dir",
                dir.display()
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(named(&lock_path, "lock")(e)),
    }
}

/// Creates `path` if it is missing, owner-only (read and write) on Unix; tightens an existing
/// file to the same. SQLite gives its `-wal` and `-shm` files the database file's permissions.
pub(crate) fn create_file(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(named(path, "create or open"))?;
    restrict(path, 0o600).map_err(named(path, "make private (mode 600)"))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            restrict(side, 0o600).map_err(named(side, "make private (mode 600)"))?;
        }
    }
    Ok(())
}

/// Whether a file can be written in `dir` now: creates, writes and removes a probe file.
pub(crate) fn writable(dir: &Path) -> bool {
    let probe = dir.join("acs-emulator.health-probe");
    let written = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&probe)
        .and_then(|mut file| std::io::Write::write_all(&mut file, b"ok"));
    let removed = std::fs::remove_file(&probe);
    written.is_ok() && removed.is_ok()
}

/// An error that names the path and what was being done to it (the OS's own message names
/// neither), and says what to do when it is a matter of permissions; the kind is kept.
fn named<'a>(path: &'a Path, doing: &'a str) -> impl FnOnce(io::Error) -> io::Error + 'a {
    move |e| {
        // EPERM (changing the mode of another user's file) and EACCES both.
        let denied = e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(1);
        let advice = if denied {
            ": the data dir and its files must belong to the user running the emulator \
             (change their owner, or give another --data-dir)"
        } else {
            ""
        };
        io::Error::new(
            e.kind(),
            format!("cannot {doing} {}: {e}{advice}", path.display()),
        )
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path_and_what_to_do() {
        let path = Path::new("/var/lib/acs/data");
        let e =
            named(path, "make the data dir private (mode 700)")(io::Error::from_raw_os_error(1));
        let text = e.to_string();
        assert!(
            text.starts_with("cannot make the data dir private (mode 700) /var/lib/acs/data: "),
            "{text}"
        );
        assert!(
            text.contains("must belong to the user running the emulator"),
            "{text}"
        );
        let e = named(path, "create the data dir")(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(!e.to_string().contains("belong"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_data_dir_file_that_cannot_be_opened_is_named() {
        let dir = std::env::temp_dir().join(format!("acs-emu-dd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A directory where the lock file should be: opening it for writing fails on any user.
        std::fs::create_dir_all(dir.join("acs-emulator.lock")).unwrap();
        let e = create_dir(&dir).unwrap_err();
        assert!(
            e.to_string()
                .contains(&dir.join("acs-emulator.lock").display().to_string()),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
