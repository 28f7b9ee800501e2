//! Diagnostics: one problem in the estate files, with where it is (`file:line:col`), the field
//! path (`clusters[0].pools[2].vmSize`), what is wrong and a hint. `Diagnostics` carries every
//! problem found plus the source texts, so the renderer can quote the offending line.

use std::fmt;

/// Index of a loaded file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub usize);

/// A point in a source file; line and column count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub source: SourceId,
    pub line: u64,
    pub column: u64,
}

impl Position {
    pub fn new(source: SourceId, line: u64, column: u64) -> Self {
        Position {
            source,
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The start of a file.
    pub fn start_of(source: SourceId) -> Self {
        Position::new(source, 1, 1)
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the offending value (or key) is; `None` for problems with no place in a file (a file
    /// that cannot be read), or before `locate` ran.
    pub position: Option<Position>,
    /// Field path such as `clusters[0].pools[2].vmSize`; empty for the whole document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem at a known position.
    pub fn new(position: Position, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            position: Some(position),
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// A problem at a field path; its position is looked up later from the path index.
    pub fn at_path(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            position: None,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// One loaded estate file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub name: String,
    /// The text (lossily decoded when the file is not UTF-8, for quoting lines only).
    pub text: String,
}

/// Every file of one load, indexed by [`SourceId`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        SourceId(self.files.len() - 1)
    }

    pub fn name(&self, source: SourceId) -> &str {
        self.files
            .get(source.0)
            .map(|file| file.name.as_str())
            .unwrap_or("<unknown>")
    }

    /// The text of line `line` (1-based) of a file, without its line break.
    pub fn line(&self, source: SourceId, line: u64) -> Option<&str> {
        let file = self.files.get(source.0)?;
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        file.text.lines().nth(index)
    }

    /// `file:line:col`.
    pub fn describe(&self, position: Position) -> String {
        format!(
            "{}:{}:{}",
            self.name(position.source),
            position.line,
            position.column
        )
    }
}

/// Every problem of one load (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    pub sources: Sources,
}

impl Diagnostics {
    pub fn new(mut items: Vec<Diagnostic>, sources: Sources) -> Self {
        items.sort_by(|left, right| {
            (left.position.is_some(), left.position)
                .cmp(&(right.position.is_some(), right.position))
                .then_with(|| left.path.cmp(&right.path))
                .then_with(|| left.message.cmp(&right.message))
        });
        items.dedup();
        Diagnostics { items, sources }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `file:line:col` of a diagnostic, if it has a position.
    pub fn location_of(&self, diagnostic: &Diagnostic) -> Option<String> {
        diagnostic
            .position
            .map(|position| self.sources.describe(position))
    }
}

impl fmt::Display for Diagnostics {
    /// One line per problem: `file:line:col: path: message (hint: ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.items.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            if let Some(location) = self.location_of(diagnostic) {
                write!(f, "{location}: ")?;
            }
            if !diagnostic.path.is_empty() {
                write!(f, "{}: ", diagnostic.path)?;
            }
            f.write_str(&diagnostic.message)?;
            if let Some(hint) = &diagnostic.hint {
                write!(f, " (hint: {hint})")?;
            }
        }
        Ok(())
    }
}
