//! "Did you mean" suggestions: the known words closest to a misspelt one (edit distance).

/// Candidates within a small edit distance of `word` (case-insensitive), best first, at most 3.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    let threshold = (word.chars().count() / 3).clamp(1, 4);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .map(|candidate| {
            (
                edit_distance(&word_lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, _)| *distance <= threshold)
        .collect();
    scored.sort_by_key(|(distance, candidate)| (*distance, *candidate));
    scored.dedup_by_key(|(_, candidate)| *candidate);
    scored
        .into_iter()
        .take(3)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// Levenshtein distance over chars.
pub fn edit_distance(left: &str, right: &str) -> usize {
    let right_chars: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right_chars.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1; right_chars.len() + 1];
        for (j, right_char) in right_chars.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[right_chars.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("vmsize", "vmsize"), 0);
        assert_eq!(edit_distance("vmSise", "vmSize"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("vmsise", ["vmSize", "zones", "count"]),
            vec!["vmSize"]
        );
        assert!(closest("completely", ["vmSize"]).is_empty());
    }
}
