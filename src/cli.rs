//! The command line, as clap derive types only: what the user typed, validated for shape but not
//! interpreted. `commands::*` turn these into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Declare a whole AKS estate in YAML and converge Azure to it.
#[derive(Debug, Parser)]
#[command(name = "aksctl", version, about, long_about = None)]
pub struct Cli {
    /// More logging on stderr (-v requests, -vv bodies); tokens are always redacted.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check estate files offline and report every problem with its location.
    Validate(FilesArgs),
    /// Print the merged, fully-defaulted estate as YAML (what will be planned).
    Render(FilesArgs),
    /// Print the JSON Schema of the estate format.
    Schema,
    /// Read live state from ARM and show what apply would change, and why.
    Plan(PlanArgs),
    /// Converge ARM to the estate (or to a saved plan).
    Apply(ApplyArgs),
    /// Delete every resource this estate owns, children first.
    Destroy(DestroyArgs),
    /// Write the estate file that declares existing resource groups (to take them over).
    Export(ExportArgs),
    /// Add ownership tags to declared resources that exist untagged (tags only, shown first).
    Adopt(AdoptArgs),
    /// Read-only drift check for schedules: exit 0 in sync, 2 drift, 1 error.
    Drift(DriftArgs),
    /// Print what apply learned that other tools need (issuers, client ids, login servers).
    Outputs(OutputsArgs),
    /// Disaster recovery: verify credentials follow their clusters, rehearse a cluster loss.
    Dr(DrArgs),
    /// Print a shell completion script (e.g. `aksctl completions bash > /etc/bash_completion.d/aksctl`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `aksctl man > /usr/local/share/man/man1/aksctl.1`.
    Man,
    /// Check the estate offline against the production checklists (rules: `--list-rules`).
    Check(CheckArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// One or more estate files; later files are merged over earlier ones.
#[derive(Debug, Clone, Args)]
pub struct FilesArgs {
    /// Estate file (repeatable; later files override earlier ones by kind and name).
    #[arg(short = 'f', long = "file", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// Where ARM is and how to authenticate.
#[derive(Debug, Clone, Args)]
pub struct ArmArgs {
    /// ARM endpoint URL (e.g. a mock-arm); plain http is accepted only for loopback hosts.
    #[arg(long, env = "AKSCTL_ARM_ENDPOINT", value_name = "URL")]
    pub arm_endpoint: Option<String>,

    /// Azure cloud whose ARM endpoint and token scope to use.
    #[arg(long, env = "AKSCTL_CLOUD", value_enum, default_value_t = Cloud::AzureCloud)]
    pub cloud: Cloud,

    /// Override the estate's subscription id.
    #[arg(long, value_name = "ID", value_parser = subscription_id)]
    pub subscription: Option<String>,

    /// Which credential to use.
    #[arg(long, env = "AKSCTL_CREDENTIAL", value_enum, default_value_t = CredentialKind::Auto)]
    pub credential: CredentialKind,

    /// Run against an embedded mock-arm whose world is kept in `.aksctl/sandbox/`
    /// (or `$AKSCTL_SANDBOX_DIR`); no Azure account or credentials needed.
    #[arg(long, conflicts_with = "arm_endpoint")]
    pub sandbox: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cloud {
    #[value(name = "AzureCloud")]
    AzureCloud,
    #[value(name = "AzureUSGovernment")]
    AzureUsGovernment,
    #[value(name = "AzureChinaCloud")]
    AzureChinaCloud,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredentialKind {
    /// Azure CLI, then workload identity, then client secret from the environment; managed
    /// identity only when `IDENTITY_ENDPOINT` says the process runs on Azure.
    Auto,
    AzureCli,
    WorkloadIdentity,
    ClientSecret,
    ManagedIdentity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    /// Save the plan to this file for `aksctl apply PLANFILE`.
    #[arg(long, value_name = "PLANFILE")]
    pub out: Option<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Exit 0 with no changes, 2 with changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Plan only these resources (and what they need), as `KIND/NAME`, e.g. `cluster/aks-prod`.
    #[arg(long, value_name = "KIND/NAME")]
    pub target: Vec<String>,

    /// Refuse to plan (exit 1, nothing saved) when `aksctl check` finds something at or above
    /// this level; without it, findings are only notices.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub check_fail_on: Option<crate::check::Severity>,
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// A plan saved by `aksctl plan --out`; refused if ARM changed since.
    #[arg(value_name = "PLANFILE", conflicts_with = "files")]
    pub plan_file: Option<PathBuf>,

    /// Estate file (repeatable); apply plans first and asks for confirmation.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub arm: ArmArgs,

    #[command(flatten)]
    pub execution: ExecutionArgs,

    /// Apply only these resources (and what they need), as `KIND/NAME`.
    #[arg(long, value_name = "KIND/NAME")]
    pub target: Vec<String>,

    /// Apply one stage of the estate's `rollout:` (its clusters, with what they contain and
    /// depend on).
    #[arg(long, value_name = "NAME", conflicts_with = "target")]
    pub stage: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    #[command(flatten)]
    pub execution: ExecutionArgs,
}

/// How apply and destroy run.
#[derive(Debug, Clone, Args)]
pub struct ExecutionArgs {
    /// Do not ask for confirmation (CI).
    #[arg(long)]
    pub auto_approve: bool,

    /// Allow deleting resources this estate owns but no longer declares.
    #[arg(long)]
    pub allow_delete: bool,

    /// Allow replacing clusters, vaults, registries and storage accounts.
    #[arg(long)]
    pub allow_replace: bool,

    /// At most this many operations in flight per lane: long-running AKS cluster/pool operations,
    /// and everything else.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,

    /// Plain timestamped log lines instead of progress bars.
    #[arg(long)]
    pub no_progress: bool,

    /// Wait up to this many seconds for another apply or destroy of the estate to release its
    /// apply lease (`docs/apply.md`); 0, the default, stops at once naming the holder.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lease_wait: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Resource group to export (repeatable); the subscription is `--subscription` or
    /// `$AZURE_SUBSCRIPTION_ID`.
    #[arg(
        short = 'g',
        long = "resource-group",
        value_name = "NAME",
        required = true
    )]
    pub resource_groups: Vec<String>,

    /// Write the estate to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The estate name (`metadata.name`, the ownership tag value); default: the estate the
    /// resources are already tagged for, else the first resource group's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    #[command(flatten)]
    pub arm: ArmArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AdoptArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    /// Adopt only these resources, as `KIND/NAME` (default: every declared resource that exists
    /// without ownership tags).
    #[arg(value_name = "KIND/NAME")]
    pub addresses: Vec<String>,

    /// Do not ask for confirmation (CI).
    #[arg(long)]
    pub auto_approve: bool,

    /// At most this many operations in flight per lane: long-running AKS cluster/pool operations,
    /// and everything else.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
}

#[derive(Debug, Clone, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    /// A plan saved earlier (`plan --out` or `drift --out`): separate what changed in Azure from
    /// what changed in the estate since then.
    #[arg(long, value_name = "PLANFILE")]
    pub since: Option<PathBuf>,

    /// Save this check's plan, to pass as `--since` next time.
    #[arg(long, value_name = "PLANFILE")]
    pub out: Option<PathBuf>,

    /// Output format on stdout (markdown is also appended to `$GITHUB_STEP_SUMMARY` when set).
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputsFormat {
    /// Everything as one JSON document.
    Json,
    /// Kubernetes ServiceAccount manifests annotated for workload identity.
    Serviceaccounts,
}

#[derive(Debug, Clone, Args)]
pub struct OutputsArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    /// What to print.
    #[arg(long, value_enum, default_value_t = OutputsFormat::Json)]
    pub format: OutputsFormat,
}

#[derive(Debug, Clone, Args)]
pub struct DrArgs {
    #[command(subcommand)]
    pub command: DrCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DrCommand {
    /// Check that every federated credential trusts its cluster's current OIDC issuer (exit 1 if
    /// not) and that every declared cluster exists.
    Verify(DrVerifyArgs),
    /// In a fresh throwaway sandbox: apply the estate, delete a cluster, plan (checking it is
    /// exactly the recreate set), apply, verify, and report the recovery time.
    Rehearse(DrRehearseArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DrVerifyArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    #[command(flatten)]
    pub arm: ArmArgs,

    /// Text or JSON on stdout.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Args)]
pub struct DrRehearseArgs {
    #[command(flatten)]
    pub files: FilesArgs,

    /// The cluster to lose (default: the first one the estate declares).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Text or JSON on stdout.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// At most this many operations in flight per lane: long-running AKS cluster/pool operations,
    /// and everything else.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckOutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Estate file (repeatable; later files override earlier ones by kind and name).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        required_unless_present = "list_rules"
    )]
    pub files: Vec<PathBuf>,

    /// `production` (default, or the estate's `checks.profile`) or `dev` (availability rules
    /// reported as info); per-cluster profiles in the estate still win.
    #[arg(long, value_name = "PROFILE", value_parser = crate::check::parse_profile)]
    pub profile: Option<crate::spec::CheckProfile>,

    /// Exit 1 when a finding is at or above this level.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = crate::check::Severity::Error)]
    pub fail_on: crate::check::Severity,

    /// Output format on stdout.
    #[arg(long, short = 'o', value_enum, default_value_t = CheckOutputFormat::Text)]
    pub output: CheckOutputFormat,

    /// Print the rules (with `-o markdown`: `docs/checks.md`) instead of checking.
    #[arg(long)]
    pub list_rules: bool,
}

/// `--subscription`: a GUID, checked like the estate's `subscription`.
fn subscription_id(value: &str) -> Result<String, String> {
    if crate::spec::roles::is_guid(value) {
        Ok(value.to_owned())
    } else {
        Err(
            "not a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000)"
                .to_owned(),
        )
    }
}
