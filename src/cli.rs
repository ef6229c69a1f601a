//! The command line (SPEC §2): global options and one argument struct per subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Drafting agreements as code: check, render, publish by classification, diff clause by clause.
#[derive(Debug, Parser)]
#[command(name = "entente", version, about, max_term_width = 100)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When printing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new draft repository: manifest, one document, one clause, .gitignore.
    Init(InitArgs),
    /// Create a clause file and place it in the manifest.
    New(NewArgs),
    /// Validate a draft; report every problem with file, line and column.
    Check(CheckArgs),
    /// Render consolidated drafts, one file per edition.
    Render(RenderArgs),
    /// Publish every edition in every format, split per document and annex, behind the leak wall.
    Publish(PublishArgs),
    /// Compare two versions clause by clause, with word-level redlines.
    Diff(DiffArgs),
    /// One clause's history through the commits, with the redline of each step.
    Log(LogArgs),
    /// Split an existing Markdown document into clause files.
    Import(ImportArgs),
    /// Where the negotiation stands: what is agreed, open, and objected to, and by whom.
    Status(StatusArgs),
}

/// `entente init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the draft in (default: the current folder).
    #[arg(value_name = "DIR")]
    pub folder: Option<PathBuf>,
    /// The agreement's title.
    #[arg(long)]
    pub title: Option<String>,
}

/// `entente new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The new clause's id, such as `force-size`.
    pub id: String,
    /// The document to add it to.
    #[arg(long, short)]
    pub document: String,
    /// The annex of that document to add it to.
    #[arg(long, short)]
    pub annex: Option<String>,
    /// Place it after this clause (default: at the end).
    #[arg(long)]
    pub after: Option<String>,
    /// Its title (default: made from the id).
    #[arg(long)]
    pub title: Option<String>,
}

/// `entente check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The version to check: a git revision, `WORKTREE`, or a draft folder.
    #[arg(default_value = "WORKTREE")]
    pub rev: String,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Output of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `file:line:col: error: ...` with the source line, on stderr.
    Text,
    /// A JSON document on stdout.
    Json,
}

/// `entente render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The version to render: a git revision, `WORKTREE`, or a draft folder.
    #[arg(default_value = "WORKTREE")]
    pub rev: String,
    /// Only this edition (default: every edition of the manifest).
    #[arg(long, short)]
    pub edition: Option<String>,
    /// The output format.
    #[arg(long, short, value_enum, default_value_t = RenderFormat::Html)]
    pub format: RenderFormat,
    /// The output folder (default: `build/` in the draft), or `-` for stdout.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// In editions that show annotations, mark what changed since this version: text
    /// inserted and deleted in place, clauses new since then flagged.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
}

/// `entente publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The version to publish: a git revision, `WORKTREE`, or a draft folder.
    #[arg(default_value = "WORKTREE")]
    pub rev: String,
    /// The output folder; each edition goes to `DIR/<edition>/` (default: `build/` in the draft).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `entente diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old version (default `HEAD`): a git revision, `WORKTREE`, or a draft folder.
    pub old: Option<String>,
    /// The new version (default `WORKTREE`).
    pub new: Option<String>,
    /// Compare only what this edition shows.
    #[arg(long, short)]
    pub edition: Option<String>,
    /// How to show the changes.
    #[arg(long, short, value_enum, default_value_t = DiffFormat::Term)]
    pub format: DiffFormat,
    /// Leave unchanged clauses out of the HTML redline.
    #[arg(long)]
    pub changed_only: bool,
}

/// `entente log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The clause's id (as it is at `HEAD`).
    pub id: String,
    /// Follow only what this edition shows.
    #[arg(long, short)]
    pub edition: Option<String>,
    /// Print the steps as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `entente import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Markdown file to split.
    pub file: PathBuf,
    /// The heading level that makes clauses (1 to 6), or `auto` for the level of the
    /// numbered provisions.
    #[arg(long, short, default_value = "2")]
    pub level: String,
    /// The document's id (default: from the file name); importing again into the same
    /// document updates it in place.
    #[arg(long, short)]
    pub document: Option<String>,
    /// The draft to import into (default: the draft around the current folder, or a new
    /// one here).
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
}

/// `entente status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The version (default `WORKTREE`); with `--history`, a range `A..B` of commits
    /// (default: the tagged rounds, or every commit touching the draft).
    pub rev: Option<String>,
    /// Count only what this edition shows.
    #[arg(long, short)]
    pub edition: Option<String>,
    /// How to show the report.
    #[arg(long, short, value_enum, default_value_t = StatusFormat::Term)]
    pub format: StatusFormat,
    /// The share agreed at each round instead of one version's report.
    #[arg(long)]
    pub history: bool,
}

/// Output of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Tables for a terminal.
    Term,
    /// Markdown for briefings.
    Md,
    /// JSON (SPEC §4).
    Json,
    /// A self-contained HTML page with a chart.
    Html,
}

impl From<StatusFormat> for crate::status::present::Format {
    fn from(f: StatusFormat) -> Self {
        match f {
            StatusFormat::Term => crate::status::present::Format::Term,
            StatusFormat::Md => crate::status::present::Format::Markdown,
            StatusFormat::Json => crate::status::present::Format::Json,
            StatusFormat::Html => crate::status::present::Format::Html,
        }
    }
}

/// Output of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal, coloured when it is one.
    Term,
    /// Markdown for pull-request comments and briefings.
    Md,
    /// A self-contained HTML redline.
    Html,
    /// JSON with stable keys (SPEC §4).
    Json,
}

impl From<DiffFormat> for crate::diff::present::Format {
    fn from(f: DiffFormat) -> Self {
        match f {
            DiffFormat::Term => crate::diff::present::Format::Term,
            DiffFormat::Md => crate::diff::present::Format::Markdown,
            DiffFormat::Html => crate::diff::present::Format::Html,
            DiffFormat::Json => crate::diff::present::Format::Json,
        }
    }
}

/// Output of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// One self-contained HTML file per edition.
    Html,
    /// One CommonMark file per edition.
    Md,
    /// The Markdown as the sources have it, headings as written (the round trip of `import`).
    MdSource,
    /// The edition's resolved model as JSON.
    Json,
}

impl From<RenderFormat> for crate::render::Format {
    fn from(f: RenderFormat) -> Self {
        match f {
            RenderFormat::Html => crate::render::Format::Html,
            RenderFormat::Md => crate::render::Format::Markdown,
            RenderFormat::MdSource => crate::render::Format::MarkdownSource,
            RenderFormat::Json => crate::render::Format::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
