//! The rule ARM enforces on a kind's name (`../shared/arm/FACTS.md`, `FACTS-2.md`), as data in the
//! kind's descriptor: `spec::validate::names` checks every declared name against it.

/// Length, characters and ends of a valid name, and the rule in words for the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamingRule {
    /// Shortest and longest length, in characters.
    pub length: (usize, usize),
    /// The characters allowed besides ASCII letters and digits.
    pub also: &'static [char],
    /// Letters must be lower case.
    pub lower_case: bool,
    /// The first and the last character are ASCII letters or digits.
    pub alphanumeric_ends: bool,
    /// The rule in words, shown as the hint (`4-63 letters, digits and hyphens, ...`).
    pub hint: &'static str,
}

impl NamingRule {
    /// Whether `name` follows the rule.
    pub fn allows(&self, name: &str) -> bool {
        let (shortest, longest) = self.length;
        let letter_or_digit = |c: char| {
            c.is_ascii_digit()
                || if self.lower_case {
                    c.is_ascii_lowercase()
                } else {
                    c.is_ascii_alphabetic()
                }
        };
        (shortest..=longest).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| letter_or_digit(c) || self.also.contains(&c))
            && (!self.alphanumeric_ends
                || (name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && name.ends_with(|c: char| c.is_ascii_alphanumeric())))
    }
}

#[cfg(test)]
mod tests {
    use super::NamingRule;

    const HYPHENATED: NamingRule = NamingRule {
        length: (4, 63),
        also: &['-'],
        lower_case: false,
        alphanumeric_ends: true,
        hint: "",
    };

    #[test]
    fn a_name_follows_the_length_the_characters_and_the_ends() {
        assert!(HYPHENATED.allows("log-App1"));
        assert!(!HYPHENATED.allows("log"), "too short");
        assert!(!HYPHENATED.allows(&"a".repeat(64)), "too long");
        assert!(!HYPHENATED.allows("log_app"), "underscore");
        assert!(!HYPHENATED.allows("-logapp"), "starts with a hyphen");
        assert!(!HYPHENATED.allows("logapp-"), "ends with a hyphen");
        assert!(!HYPHENATED.allows("logäpp"), "not ASCII");
        let lower = NamingRule {
            lower_case: true,
            ..HYPHENATED
        };
        assert!(!lower.allows("log-App1"), "upper case");
        assert!(lower.allows("log-app1"));
    }
}
