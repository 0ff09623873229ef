//! `mailprobe.exe` under Debian's Wine, for the Windows tests and the
//! desktop benchmark: cross-built for `x86_64-pc-windows-gnu` into
//! `target/windows` (a target directory of its own, so this cargo does not
//! wait for the lock of the cargo that runs the tests), next to the
//! test-only `bcryptprimitives.dll` stand-in (Wine 8 lacks the DLL whose
//! `ProcessPrng` Rust's std imports), run in a Wine prefix of its own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub const WINE: &str = "/usr/lib/wine/wine64";

/// The exe with its shim, and a Wine prefix, shared by this file's tests.
pub struct Wine {
    pub dir: Dir,
    pub prefix: Dir,
}

/// A directory of this run's under `target/windows`, emptied when the run
/// starts: the set-up lives in a static, which is never dropped, so a
/// temporary directory would be left behind by every run.
#[derive(Debug)]
pub struct Dir(PathBuf);

impl Dir {
    fn fresh(name: &str) -> Dir {
        let path = root().join("target/windows").join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Dir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The debug `mailprobe.exe` of this checkout under Wine, built once.
pub fn wine() -> &'static Wine {
    static WINE_SETUP: OnceLock<Wine> = OnceLock::new();
    WINE_SETUP.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let target = root().join("target/windows");
        let status = Command::new(cargo)
            .args(["build", "--target", "x86_64-pc-windows-gnu", "-p", "mailsetup-probe", "--bin", "mailprobe"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(root())
            .status()
            .expect("run cargo");
        assert!(status.success(), "the cross-build failed (is the target installed? `cargo xtask setup` adds it)");
        Wine::with_exe(&target.join("x86_64-pc-windows-gnu/debug/mailprobe.exe"), "tests")
    })
}

impl Wine {
    /// `exe` in `target/windows/NAME` beside the stand-in DLL, and a fresh
    /// prefix in `target/windows/NAME-prefix`.
    pub fn with_exe(exe: &Path, name: &str) -> Wine {
        assert!(Path::new(WINE).exists(), "Wine is not installed: run `cargo xtask setup` (Debian package wine64)");
        let mingw = "x86_64-w64-mingw32-gcc";
        assert!(
            Command::new(mingw).arg("--version").output().is_ok(),
            "{mingw} is not installed: run `cargo xtask setup` (Debian package gcc-mingw-w64-x86-64)"
        );
        let dir = Dir::fresh(name);
        std::fs::copy(exe, dir.path().join("mailprobe.exe")).unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
        let shim = Command::new(mingw)
            .args(["-shared", "-O2", "-o"])
            .arg(dir.path().join("bcryptprimitives.dll"))
            .arg(root().join("tests/windows/bcryptprimitives.c"))
            .arg("-ladvapi32")
            .status()
            .unwrap();
        assert!(shim.success(), "building the test-only bcryptprimitives.dll failed");
        let prefix = Dir::fresh(&format!("{name}-prefix"));
        let w = Wine { dir, prefix };
        // The first start sets the prefix up (a few seconds).
        let out = w.run(&["--version"], None);
        assert!(out.status.success(), "mailprobe.exe --version under Wine: {}", String::from_utf8_lossy(&out.stderr));
        w
    }
}

/// A Linux path as the Windows program sees it (Wine maps `Z:` to `/`).
pub fn win_path(p: &Path) -> String {
    format!("Z:{}", p.display().to_string().replace('/', "\\"))
}

impl Wine {
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(WINE);
        c.arg(self.dir.path().join("mailprobe.exe"))
            .args(args)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Wine desktop, no dialogs: this is a console program.
            .env("DISPLAY", "")
            .current_dir(self.dir.path());
        c
    }

    /// Runs mailprobe.exe; `stdin` is written and closed when given.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run wine64");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            let _ = input.write_all(text.as_bytes());
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// The Windows user's `%APPDATA%` in the prefix, as a Linux path.
    pub fn appdata(&self) -> PathBuf {
        let users = self.prefix.path().join("drive_c/users");
        let user = std::fs::read_dir(&users)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public"))
            .expect("the prefix has a user");
        user.join("AppData/Roaming")
    }
}

