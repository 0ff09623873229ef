//! `cargo xtask dist [--check]`: `mailprobe` for Linux and `mailprobe.exe`
//! for Windows (cross-built with mingw-w64), each packed with the wizard
//! embedded, README, the licences and SHA256SUMS, into
//! `target/dist/mailsetup-VERSION-x86_64-{linux.tar.gz,windows.zip}`.
//!
//! Reproducible: the same commit gives the same archives. Paths of this
//! machine are remapped out of the binaries, the Windows linker writes no
//! time stamp, the embedded files carry none (rust-embed's
//! deterministic-timestamps), and the archives hold sorted entries with the
//! commit's time, owner 0 and fixed modes. `--check` builds everything twice,
//! in two target directories, and compares the archives byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cmd, output, root, run};

const LINUX: &str = "x86_64-unknown-linux-gnu";
const WINDOWS: &str = "x86_64-pc-windows-gnu";

/// What one build made: the archives, and the binaries' sizes.
pub struct Built {
    pub archives: Vec<PathBuf>,
    pub binaries: Vec<(String, u64)>,
}

/// `fresh_wasm`: the wasm package in www/pkg was just built (by the test
/// command); else it is built first, as the binaries embed it.
pub fn run_dist(check: bool, fresh_wasm: bool) -> Result {
    crate::apt_install(&["gcc-mingw-w64-x86-64", "python3", "tar", "gzip"])?;
    if !fresh_wasm {
        crate::setup(false)?;
        crate::wasm()?;
    }
    let built = build(&root().join("target/dist"))?;
    for (name, size) in &built.binaries {
        eprintln!("xtask: {name}: {size} bytes");
    }
    for a in &built.archives {
        println!("{}", a.display());
    }
    if check {
        let again = build(&root().join("target/dist-again"))?;
        for (a, b) in built.archives.iter().zip(&again.archives) {
            let (x, y) = (read_bytes(a)?, read_bytes(b)?);
            if x != y {
                return Err(format!("not reproducible: {} and {} differ", a.display(), b.display()));
            }
        }
        eprintln!("xtask: reproducible: a second build in another target directory gave the same archives");
    }
    Ok(())
}

fn read_bytes(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The commit's time (seconds since 1970), for every time stamp in the archives.
fn source_date_epoch() -> Result<String> {
    output(cmd("git").args(["log", "-1", "--format=%ct"]))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "git log: no commit to take the time from".into())
}

pub fn build(target_dir: &Path) -> Result<Built> {
    let epoch = source_date_epoch()?;
    let version = env!("CARGO_PKG_VERSION");
    let home = std::env::var("HOME").unwrap_or_default();
    // Paths of this machine (the checkout, cargo's registry) out of panic
    // messages and symbols: two checkouts build the same bytes.
    // The target directory last (of overlapping prefixes rustc applies the
    // last that matches): it lies inside the checkout, and build scripts'
    // output (OUT_DIR) is named in panic locations.
    let remap = format!(
        "--remap-path-prefix={}=/mailsetup --remap-path-prefix={home}/.cargo=/cargo --remap-path-prefix={home}/.rustup=/rustup --remap-path-prefix={}=/target",
        root().display(),
        target_dir.display(),
    );
    let mut archives = Vec::new();
    let mut binaries = Vec::new();
    for (target, os, exe) in [(LINUX, "linux", "mailprobe"), (WINDOWS, "windows", "mailprobe.exe")] {
        let mut c = cmd("cargo");
        c.args(["build", "--profile", "dist", "--locked", "-p", "mailsetup-probe", "--bin", "mailprobe", "--target", target])
            .env("CARGO_TARGET_DIR", target_dir)
            .env("SOURCE_DATE_EPOCH", &epoch)
            .env("RUSTFLAGS", &remap)
            // PE files carry a link time unless told not to.
            .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS", format!("{remap} -C link-arg=-Wl,--no-insert-timestamp"));
        run(&mut c)?;
        let binary = target_dir.join(target).join("dist").join(exe);
        let size = std::fs::metadata(&binary).map_err(|e| format!("{}: {e}", binary.display()))?.len();
        binaries.push((format!("{target}/{exe}"), size));
        let name = format!("mailsetup-{version}-x86_64-{os}");
        let stage = target_dir.join("stage").join(&name);
        let _ = std::fs::remove_dir_all(&stage);
        std::fs::create_dir_all(&stage).map_err(|e| format!("{}: {e}", stage.display()))?;
        let files: [(PathBuf, &str); 5] = [
            (binary, exe),
            (root().join("README.md"), "README.md"),
            (root().join("LICENSE-MIT"), "LICENSE-MIT"),
            (root().join("LICENSE-APACHE"), "LICENSE-APACHE"),
            // The provider table in the binary is derived from the Thunderbird ISPDB.
            (root().join("core/src/presets/LICENSE-MPL-2.0"), "LICENSE-MPL-2.0-ISPDB"),
        ];
        let mut sums = String::new();
        for (from, to) in &files {
            std::fs::copy(from, stage.join(to)).map_err(|e| format!("{}: {e}", from.display()))?;
            sums.push_str(&format!("{}  {to}\n", sha256(&stage.join(to))?));
        }
        std::fs::write(stage.join("SHA256SUMS"), sums).map_err(|e| e.to_string())?;
        let archive = if os == "windows" {
            let zip = target_dir.join(format!("{name}.zip"));
            zip_dir(&stage, &name, &zip, &epoch)?;
            zip
        } else {
            let tgz = target_dir.join(format!("{name}.tar.gz"));
            tar_gz(&stage, &name, &tgz, &epoch)?;
            tgz
        };
        archives.push(archive);
    }
    let mut sums = String::new();
    for a in &archives {
        sums.push_str(&format!("{}  {}\n", sha256(a)?, a.file_name().unwrap().to_string_lossy()));
    }
    std::fs::write(target_dir.join("SHA256SUMS"), sums).map_err(|e| e.to_string())?;
    Ok(Built { archives, binaries })
}

fn sha256(p: &Path) -> Result<String> {
    let out = output(Command::new("sha256sum").arg(p)).ok_or_else(|| format!("sha256sum {}", p.display()))?;
    Ok(out.split_whitespace().next().unwrap_or_default().to_string())
}

/// GNU tar with every varying field fixed, gzip without name or time.
fn tar_gz(stage: &Path, name: &str, out: &Path, epoch: &str) -> Result {
    let script = format!(
        "tar --sort=name --mtime=@{epoch} --owner=0 --group=0 --numeric-owner --mode=u=rwX,go=rX --format=gnu -C {parent} -cf - {name} | gzip -9n > {out}",
        parent = sh_quote(&stage.parent().unwrap().display().to_string()),
        name = sh_quote(name),
        out = sh_quote(&out.display().to_string()),
    );
    run(Command::new("sh").args(["-c", &script]))
}

/// A zip (what Windows opens by itself) with sorted entries, the commit's
/// time and fixed attributes, written by Python's zipfile.
fn zip_dir(stage: &Path, name: &str, out: &Path, epoch: &str) -> Result {
    let script = r#"
import os, sys, time, zipfile
stage, name, out, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
stamp = time.gmtime(max(epoch, 315532800))[:6]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for f in sorted(os.listdir(stage)):
        info = zipfile.ZipInfo(f'{name}/{f}', date_time=stamp)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        with open(os.path.join(stage, f), 'rb') as src:
            z.writestr(info, src.read())
"#;
    run(Command::new("python3")
        .args(["-c", script])
        .arg(stage)
        .arg(name)
        .arg(out)
        .arg(epoch))
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
