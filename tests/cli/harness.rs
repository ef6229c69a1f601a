//! The test harness: draft repositories in temporary folders, git histories built with
//! git2 at fixed times, and the real `entente` binary run on them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A draft repository in a temporary folder.
pub struct Draft {
    _dir: tempfile::TempDir,
    /// The draft's root folder.
    pub root: PathBuf,
    time: i64,
}

/// Which output of a run no one reads.
#[derive(Clone, Copy)]
pub enum Gone {
    Stdout,
    Stderr,
}

/// What a run of the binary printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing the output if it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir`, as sorted relative paths with their bytes.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Draft {
    /// An empty folder.
    pub fn empty() -> Draft {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        Draft {
            _dir: dir,
            root,
            time: 1_766_397_600,
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Draft {
        let draft = Draft::empty();
        copy_dir(&repo_root().join("tests/fixtures").join(name), &draft.root);
        draft
    }

    /// A copy of `drafts/<name>`.
    pub fn sample(name: &str) -> Draft {
        let draft = Draft::empty();
        copy_dir(&repo_root().join("drafts").join(name), &draft.root);
        draft
    }

    /// Writes a file (creating folders).
    pub fn file(self, path: &str, text: &str) -> Draft {
        self.write(path, text);
        self
    }

    /// Writes a file in place.
    pub fn write(&self, path: &str, text: &str) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Reads a file of the draft.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// Removes a file.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root.join(path)).unwrap();
    }

    /// Commits every file with a fixed author and a clock that advances one hour per
    /// commit, so commit ids are stable; tags the commit when `tag` is given.
    pub fn commit(&mut self, message: &str, tag: Option<&str>) -> String {
        let repo = match git2::Repository::open(&self.root) {
            Ok(repo) => repo,
            Err(_) => git2::Repository::init(&self.root).unwrap(),
        };
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        self.time += 3600;
        let sig = git2::Signature::new(
            "Drafter",
            "drafter@example.org",
            &git2::Time::new(self.time, 60),
        )
        .unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap();
        if let Some(tag) = tag {
            repo.tag_lightweight(tag, &repo.find_object(id, None).unwrap(), false)
                .unwrap();
        }
        id.to_string()
    }

    /// Runs `entente` with `args` in the draft's root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args)
    }

    /// Runs `entente` with `args` in `dir`.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_env(dir, &[("TZ", "UTC")], args)
    }

    /// Runs `entente` with `args` in the draft's root, one of its outputs a pipe whose reader
    /// has gone before it starts (`entente … | head`, once `head` has read enough).
    pub fn run_unread(&self, args: &[&str], gone: Gone) -> Run {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
            .current_dir(&self.root)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        match gone {
            Gone::Stdout => drop(child.stdout.take()),
            Gone::Stderr => drop(child.stderr.take()),
        }
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `entente` with `args` in `dir`, with these environment variables set.
    pub fn run_env(&self, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
        let output = Command::cargo_bin("entente")
            .unwrap()
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .args(args)
            .output()
            .unwrap();
        let root = self.root.display().to_string();
        let clean = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&root, "[ROOT]");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: clean(&output.stdout),
            stderr: clean(&output.stderr),
        }
    }
}
