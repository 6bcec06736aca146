//! `pkg`: packages kept installed, uninstalled, at the newest version or at
//! an exact one, through PackageKit on the system bus.
//!
//! A check is one `Resolve` transaction for every package of the vertex;
//! what must change is done in one transaction per action (remove, install,
//! update), so pkg resources grouped by `Meta:autogroup` (the default) cost
//! one install for all of them, not one each. The watch hears PackageKit's
//! `UpdatesChanged` and the package database itself (dpkg's status file,
//! or rpm's database), so a package removed by hand with apt or dpkg is put
//! back at once.

mod shipped;

use crate::dbus::packagekit::{filter, flag, Action, Package, INTERFACE, PATH};
use crate::dbus::{signals, Buses};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::resources::file::{FileWatcher, Scope, Target};
use crate::schemas::pkg;
use crate::services::Services;
use crate::spec::{GraphSpec, ResourceSpec};
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The package databases a watch follows, where they exist: a change to
/// one means a package was installed, removed or upgraded by something.
const DATABASES: &[&str] = &[
    "/var/lib/dpkg/status",
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/Packages",
];

/// The `pkg` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        pkg::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        Ok(Box::new(Pkg::new(vec![Wanted::from_spec(spec)?], services)))
    }

    /// Orders after each installed package the resources that manage what
    /// it ships (its file list); see `shipped`.
    fn prepare(&self, graph: &mut GraphSpec) {
        shipped::add_edges(graph, Path::new(shipped::DPKG_INFO));
    }

    /// The whole group as one resource, so that it resolves and changes
    /// its packages in shared transactions.
    fn group(
        &self,
        members: Vec<(&ResourceSpec, Box<dyn Resource>)>,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let wanted = members
            .iter()
            .map(|(spec, _)| Wanted::from_spec(spec))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Box::new(Pkg::new(wanted, services)))
    }
}

/// The state one package should be in.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Installed,
    Uninstalled,
    Newest,
    /// Exactly this version (as the package manager writes it).
    Version(String),
}

/// One pkg resource: its package and what is wanted of it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    /// `pkg[name]`, for the log and errors.
    id: String,
    /// Where its statement is, for errors of a group's member.
    location: String,
    name: String,
    state: State,
    /// Packages that are not signed by a trusted key may be installed.
    untrusted: bool,
    /// Only free packages are considered unless this is set.
    nonfree: bool,
    /// Only supported packages are considered unless this is set.
    unsupported: bool,
}

impl Wanted {
    fn from_spec(spec: &ResourceSpec) -> Result<Wanted, ResourceError> {
        let flag = |field: &str| spec.params.get(field).and_then(Json::as_bool) == Some(true);
        let state = match spec.params.get("state").and_then(Json::as_str) {
            None | Some("") | Some("installed") => State::Installed,
            Some("uninstalled") => State::Uninstalled,
            Some("newest") => State::Newest,
            Some(version) => State::Version(version.to_owned()),
        };
        Ok(Wanted {
            id: spec.id(),
            location: spec.location.clone(),
            name: spec.name.clone(),
            state,
            untrusted: flag("allowuntrusted"),
            nonfree: flag("allownonfree"),
            unsupported: flag("allowunsupported"),
        })
    }

    /// The filters its package is resolved with.
    fn filters(&self) -> u64 {
        let mut filters = filter::ARCH | filter::NOT_SOURCE;
        if self.state == State::Newest {
            filters |= filter::NEWEST;
        }
        if !self.nonfree {
            filters |= filter::FREE;
        }
        if !self.unsupported {
            filters |= filter::SUPPORTED;
        }
        filters
    }

    /// The flags of the transaction that changes it.
    fn flags(&self) -> u64 {
        let mut flags = 0;
        if !self.untrusted {
            flags |= flag::ONLY_TRUSTED;
        }
        if matches!(self.state, State::Version(_)) {
            // The user named the version: going back to it is intended.
            flags |= flag::ALLOW_DOWNGRADE;
        }
        flags
    }

    /// What must be done for it, given what PackageKit resolved its name
    /// to (`found`, only packages of that name).
    fn plan(&self, found: &[&Package]) -> Result<Option<Change>, ResourceError> {
        let installed: Vec<&&Package> = found.iter().filter(|package| package.installed).collect();
        let available: Vec<&&Package> = found.iter().filter(|package| !package.installed).collect();
        let change = |action: Action, package: &Package| Change {
            action,
            flags: self.flags(),
            id: package.id.clone(),
            says: format!("{} {} {}", past(action), package.name(), package.version()),
        };
        let missing = || {
            ResourceError::failed(format!(
                "there is no package `{}` in this host's repositories \
                 (PackageKit resolved nothing by that name)",
                self.name
            ))
        };
        Ok(match &self.state {
            State::Uninstalled => installed
                .first()
                .map(|package| change(Action::Remove, package)),
            State::Installed if !installed.is_empty() => None,
            State::Installed => Some(change(
                Action::Install,
                available.first().ok_or_else(missing)?,
            )),
            // Resolved with the newest filter: what it found is the newest.
            State::Newest => match (installed.first(), available.first()) {
                (Some(_), None) => None,
                (Some(_), Some(newer)) => Some(change(Action::Update, newer)),
                (None, Some(package)) => Some(change(Action::Install, package)),
                (None, None) => return Err(missing()),
            },
            State::Version(version) => {
                if installed.iter().any(|package| package.version() == version) {
                    None
                } else if let Some(package) = available
                    .iter()
                    .find(|package| package.version() == version)
                {
                    Some(change(Action::Install, package))
                } else if found.is_empty() {
                    return Err(missing());
                } else {
                    let known: Vec<String> = found
                        .iter()
                        .map(|package| {
                            let state = if package.installed {
                                "installed"
                            } else {
                                "available"
                            };
                            format!("{} ({state})", package.version())
                        })
                        .collect();
                    return Err(ResourceError::failed(format!(
                        "version {version} of `{}` is not available; PackageKit knows {}",
                        self.name,
                        known.join(", ")
                    )));
                }
            }
        })
    }
}

/// One package to change, and how the log says it once done.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Change {
    action: Action,
    flags: u64,
    id: String,
    says: String,
}

fn past(action: Action) -> &'static str {
    match action {
        Action::Install => "installed",
        Action::Remove => "removed",
        Action::Update => "updated to",
        Action::Resolve => "resolved",
    }
}

/// One vertex: a pkg resource, or a group of them.
pub struct Pkg {
    wanted: Vec<Wanted>,
    buses: Buses,
    files: FileWatcher,
}

impl Pkg {
    fn new(wanted: Vec<Wanted>, services: &Services) -> Pkg {
        Pkg {
            wanted,
            buses: services.buses.clone(),
            files: services.files.clone(),
        }
    }

    /// How the progress lines name this vertex.
    fn label(&self) -> String {
        self.wanted
            .iter()
            .map(|wanted| wanted.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every package PackageKit knows by each wanted name: one resolve per
    /// set of filters (usually one for the whole vertex).
    fn resolve(&self) -> Result<Vec<Package>, ResourceError> {
        let mut by_filters: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for wanted in &self.wanted {
            let names = by_filters.entry(wanted.filters()).or_default();
            if !names.contains(&wanted.name) {
                names.push(wanted.name.clone());
            }
        }
        let mut found = Vec::new();
        for (filters, names) in by_filters {
            let (buses, label) = (self.buses.clone(), self.label());
            found.extend(self.buses.run(async move {
                let packagekit = buses.packagekit().await?;
                packagekit.resolve(filters, &names, &label).await
            })?);
        }
        Ok(found)
    }

    /// Runs `changes` in one transaction per action and flags: removals
    /// first, then installs, then updates.
    fn make(&self, changes: &[&Change]) -> Result<(), ResourceError> {
        let mut batches: BTreeMap<(u8, u64), (Action, Vec<String>)> = BTreeMap::new();
        for change in changes {
            let order = match change.action {
                Action::Remove => 0,
                Action::Install => 1,
                _ => 2,
            };
            batches
                .entry((order, change.flags))
                .or_insert_with(|| (change.action, Vec::new()))
                .1
                .push(change.id.clone());
        }
        for ((_, flags), (action, ids)) in batches {
            let (buses, label) = (self.buses.clone(), self.label());
            self.buses.run(async move {
                let packagekit = buses.packagekit().await?;
                packagekit.change(action, flags, &ids, &label).await
            })?;
        }
        Ok(())
    }
}

impl Resource for Pkg {
    fn validate(&self) -> Result<(), ResourceError> {
        for wanted in &self.wanted {
            let name = &wanted.name;
            let bad = name.is_empty()
                || name.starts_with('-')
                || name
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, ';' | '/' | '\\' | '*' | '?'));
            if bad {
                return Err(ResourceError::invalid(format!(
                    "`{name}` is not a package name"
                )));
            }
            if let State::Version(version) = &wanted.state {
                if version.chars().any(|c| c.is_whitespace() || c == ';') {
                    return Err(ResourceError::invalid(format!(
                        "state `{version}`: expected installed, uninstalled, newest or a version"
                    )));
                }
            }
        }
        Ok(())
    }

    fn brief(&self) -> bool {
        // Transactions take as long as downloads take.
        false
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let signals = signals::watch(&self.buses, events.clone(), |buses| async move {
            let connection = buses.connection(crate::dbus::Bus::System).await?;
            Ok(vec![
                signals::subscribe(&connection, PATH, INTERFACE, Some("UpdatesChanged")).await?,
            ])
        })?;
        let databases: Vec<Target> = DATABASES
            .iter()
            .map(Path::new)
            .filter(|path| path.parent().is_some_and(Path::is_dir))
            .map(|path| Target {
                path: PathBuf::from(path),
                scope: Scope::Exact,
            })
            .collect();
        let files = self
            .files
            .subscribe(Arc::new(Mutex::new(databases)), events)?;
        Ok(Some(Box::new((signals, files))))
    }

    /// Every package is planned, the changes made in shared transactions;
    /// a package that cannot be planned (unknown, no such version) fails
    /// alone, after the others were made.
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let found = self.resolve()?;
        let mut changes = Vec::new();
        let mut failures: Vec<(&Wanted, ResourceError)> = Vec::new();
        for (position, wanted) in self.wanted.iter().enumerate() {
            let candidates: Vec<&Package> = found
                .iter()
                .filter(|package| package.name() == wanted.name)
                .collect();
            match wanted.plan(&candidates) {
                Ok(Some(change)) => changes.push((position, change)),
                Ok(None) => {}
                Err(problem) => failures.push((wanted, problem)),
            }
        }
        // The engine names the leader in its log line already.
        let said: Vec<String> = changes
            .iter()
            .map(|(position, change)| {
                let says = if context.apply {
                    change.says.clone()
                } else {
                    format!("would be {}", change.says)
                };
                if *position == 0 {
                    says
                } else {
                    format!("{}: {says}", self.wanted[*position].id)
                }
            })
            .collect();
        if context.apply && !changes.is_empty() {
            let all: Vec<&Change> = changes.iter().map(|(_, change)| change).collect();
            self.make(&all)?;
        }
        if let [(_, problem)] = failures.as_slice() {
            if self.wanted.len() == 1 {
                // A single resource's error is located by the engine.
                return Err(problem.clone());
            }
        }
        if !failures.is_empty() {
            // The engine locates the group at its leader: each failed
            // member says where it is, and what the others did is kept.
            let mut message: Vec<String> = failures
                .iter()
                .map(|(wanted, problem)| {
                    format!("{} (at {}): {problem}", wanted.id, wanted.location)
                })
                .collect();
            if context.apply && !changes.is_empty() {
                let done: Vec<String> = changes
                    .iter()
                    .map(|(position, change)| {
                        format!("{} {}", self.wanted[*position].id, change.says)
                    })
                    .collect();
                message.push(format!("done for the others: {}", done.join(", ")));
            }
            return Err(ResourceError::failed(message.join("; ")));
        }
        Ok(match (said.is_empty(), context.apply) {
            (true, _) => Outcome::Correct,
            (false, true) => Outcome::Changed(said.join("; ")),
            (false, false) => Outcome::WouldChange(said.join("; ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(state: State) -> Wanted {
        Wanted {
            id: "pkg[hello]".to_owned(),
            location: "main.mcl:1:1".to_owned(),
            name: "hello".to_owned(),
            state,
            untrusted: false,
            nonfree: false,
            unsupported: false,
        }
    }

    fn package(version: &str, installed: bool) -> Package {
        let data = if installed {
            "installed:debian-bookworm-main"
        } else {
            "debian-bookworm-main"
        };
        Package {
            id: format!("hello;{version};amd64;{data}"),
            installed,
        }
    }

    fn action(plan: Result<Option<Change>, ResourceError>) -> Option<(Action, String)> {
        plan.expect("a plan").map(|change| {
            (
                change.action,
                change.id.split(';').nth(1).unwrap().to_owned(),
            )
        })
    }

    #[test]
    fn installed_and_uninstalled_change_only_what_differs() {
        let old = package("2.10-2", true);
        let new = package("2.10-3", false);
        let installed = wanted(State::Installed);
        assert_eq!(action(installed.plan(&[&old, &new])), None);
        assert_eq!(
            action(installed.plan(&[&new])),
            Some((Action::Install, "2.10-3".to_owned()))
        );
        let uninstalled = wanted(State::Uninstalled);
        assert_eq!(
            action(uninstalled.plan(&[&old, &new])),
            Some((Action::Remove, "2.10-2".to_owned()))
        );
        assert_eq!(action(uninstalled.plan(&[&new])), None);
        // A package nobody has is uninstalled already.
        assert_eq!(action(uninstalled.plan(&[])), None);
    }

    #[test]
    fn newest_updates_an_older_installed_version() {
        let newest = wanted(State::Newest);
        let old = package("2.10-2", true);
        let new = package("2.10-3", false);
        assert_eq!(
            action(newest.plan(&[&old, &new])),
            Some((Action::Update, "2.10-3".to_owned()))
        );
        assert_eq!(action(newest.plan(&[&old])), None);
        assert_eq!(
            action(newest.plan(&[&new])),
            Some((Action::Install, "2.10-3".to_owned()))
        );
        assert!(newest.filters() & filter::NEWEST != 0);
    }

    #[test]
    fn an_exact_version_is_installed_even_backwards() {
        let exact = wanted(State::Version("2.10-2".to_owned()));
        let old = package("2.10-2", false);
        let new = package("2.10-3", true);
        let plan = exact.plan(&[&new, &old]).unwrap().unwrap();
        assert_eq!(plan.action, Action::Install);
        assert!(plan.flags & flag::ALLOW_DOWNGRADE != 0);
        let missing = wanted(State::Version("1.0".to_owned()))
            .plan(&[&new])
            .unwrap_err();
        assert!(
            missing.to_string().contains("2.10-3 (installed)"),
            "{missing}"
        );
    }

    #[test]
    fn an_unknown_package_is_a_clear_error() {
        let problem = wanted(State::Installed).plan(&[]).unwrap_err();
        assert!(
            problem.to_string().contains("no package `hello`"),
            "{problem}"
        );
    }

    #[test]
    fn untrusted_packages_need_asking_for() {
        assert!(wanted(State::Installed).flags() & flag::ONLY_TRUSTED != 0);
        let mut allowed = wanted(State::Installed);
        allowed.untrusted = true;
        assert_eq!(allowed.flags() & flag::ONLY_TRUSTED, 0);
    }
}
