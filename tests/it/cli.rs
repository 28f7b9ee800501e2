//! The command line's own artifacts: shell completions for each supported shell and the man
//! page, generated from the same definition the parser uses.

fn aksctl(arguments: &[&str]) -> (Option<i32>, String) {
    let output = assert_cmd::Command::cargo_bin("aksctl")
        .expect("aksctl binary")
        .args(arguments)
        .output()
        .expect("aksctl runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    for (shell, marker) in [
        ("bash", "_aksctl()"),
        ("zsh", "#compdef aksctl"),
        ("fish", "complete -c aksctl"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, script) = aksctl(&["completions", shell]);
        assert_eq!(code, Some(0), "{shell}");
        assert!(script.contains(marker), "{shell}: {script}");
        for subcommand in [
            "plan",
            "apply",
            "destroy",
            "drift",
            "outputs",
            "completions",
        ] {
            assert!(
                script.contains(subcommand),
                "{shell} completes {subcommand}"
            );
        }
    }
    let (code, _) = aksctl(&["completions", "tcsh"]);
    assert_eq!(code, Some(1), "an unknown shell is a usage error (exit 1)");
}

#[test]
fn the_man_page_is_roff_naming_the_commands() {
    let (code, page) = aksctl(&["man"]);
    assert_eq!(code, Some(0));
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains(".TH aksctl 1"), "{page}");
    for subcommand in ["validate", "plan", "apply", "completions", "man"] {
        assert!(page.contains(subcommand), "the page names {subcommand}");
    }
}
