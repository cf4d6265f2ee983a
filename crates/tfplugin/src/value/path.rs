//! Attribute paths: where inside a value something happened (tfplugin6 `AttributePath`).

use std::fmt;

/// One step of an [`AttributePath`], mirroring the tfplugin6 `AttributePath.Step` oneof.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An attribute of an object (or of a nested block).
    AttributeName(String),
    /// The element of a map under a string key.
    ElementKeyString(String),
    /// The element of a list, set or tuple at an index.
    ElementKeyInt(i64),
}

/// A path from the root of a value to one of its parts, e.g. `clusters["eu-1"].labels`.
///
/// Built step by step: `AttributePath::root().attr("clusters").key("eu-1").attr("labels")`.
/// The same steps become the `attribute` of a Terraform diagnostic, so Terraform can point at
/// the offending attribute in the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path: the value itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// A path made of the given steps.
    pub fn from_steps(steps: Vec<PathStep>) -> Self {
        Self { steps }
    }

    /// This path extended by an object attribute.
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::AttributeName(name.into()));
        self
    }

    /// This path extended by a map key.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(key.into()));
        self
    }

    /// This path extended by a list, set or tuple index.
    #[must_use]
    pub fn index(mut self, index: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(index));
        self
    }

    /// The steps from the root, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    pub(crate) fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    pub(crate) fn pop(&mut self) {
        self.steps.pop();
    }
}

/// Renders the path the way Terraform users write references: `a.b["key"][0]`.
/// The root path renders as `(root)`.
impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("(root)");
        }
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::AttributeName(name) if i == 0 => f.write_str(name)?,
                PathStep::AttributeName(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(key) => write!(f, "[{key:?}]")?,
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_terraform_reference() {
        let path = AttributePath::root()
            .attr("clusters")
            .key("eu-1")
            .attr("labels");
        assert_eq!(path.to_string(), r#"clusters["eu-1"].labels"#);
        assert_eq!(AttributePath::root().attr("l").index(1).to_string(), "l[1]");
        assert_eq!(AttributePath::root().to_string(), "(root)");
    }
}
