//! A merged night's rows by the machine that measured them. Timing belongs to one machine: on a
//! hosted matrix the shards land on whatever machine types the pool hands out, so a night's
//! timing is judged machine by machine — each machine's rows against that machine's own
//! baseline, which gathers the rows it has measured on any night.

use crate::schema::{Environment, Results, RunConfig, ScenarioResult};

impl Results {
    /// The fingerprint id of the machine row `s` was measured on; `None` for a file written
    /// before schema 4, which has no fingerprint.
    pub fn machine_of(&self, s: &ScenarioResult) -> Option<String> {
        self.environment_of(s).fingerprint().map(|f| f.id())
    }

    /// The machines this file's rows were measured on, each once, in the rows' order. A row
    /// without a fingerprint (before schema 4) names none.
    pub fn machines(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in self.scenarios.iter().filter_map(|s| self.machine_of(s)) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// The rows measured on machine `id`, as a file of that machine alone: its environment is
    /// the rows' (the night's commit, start and run id kept), the rows carry none of their own.
    /// Every failure of the night stays: a night with a failure is not a clean one anywhere.
    /// `None` when no row was measured there.
    pub fn on_machine(&self, id: &str) -> Option<Results> {
        let first = self.scenarios.iter().find(|s| self.machine_of(s).as_deref() == Some(id))?;
        let measured = self.environment_of(first);
        let environment = Environment {
            git_commit: self.environment.git_commit.clone(),
            started_at: self.environment.started_at.clone(),
            run_id: self.environment.run_id.clone(),
            ..measured.clone()
        };
        let scenarios = self
            .scenarios
            .iter()
            .filter(|s| self.machine_of(s).as_deref() == Some(id))
            .map(|s| ScenarioResult { environment: None, ..s.clone() })
            .collect();
        Some(Results { environment, scenarios, ..self.clone() })
    }

    /// `self`, a machine's timing baseline, with the rows of `tonight` (that machine's rows of
    /// one night, [`Results::on_machine`]) added where it has none — and, with `replace`, put in
    /// place of its own. A row the machine measured on an earlier night and another machine
    /// measured tonight stays as it was: the baseline gathers what its machine has measured.
    /// `Err` when the two are not one machine's or not one workload, said in one line.
    pub fn gathered(&self, tonight: &Results, replace: bool) -> Result<Results, String> {
        let (mine, theirs) = (self.machines(), tonight.machines());
        if theirs.len() != 1 || (!mine.is_empty() && mine != theirs) {
            return Err(format!(
                "the baseline's rows were measured on {} and tonight's on {}: a timing baseline is one machine's",
                listed(&mine),
                listed(&theirs)
            ));
        }
        if let Some(field) = self.config.workload_difference(&tonight.config) {
            return Err(format!("tonight's workload differs from the baseline's ({field}): save it with --force to start again"));
        }
        let mut next = self.clone();
        for row in &tonight.scenarios {
            // The night's own environment rides on a row it adds: its date and run id, not the
            // baseline's, say when that row was measured.
            let added = ScenarioResult { environment: Some(tonight.environment.clone()), ..row.clone() };
            match next.scenarios.iter_mut().find(|s| s.key() == row.key()) {
                Some(kept) if replace => *kept = added,
                Some(_) => {}
                None => next.scenarios.push(added),
            }
        }
        Ok(next)
    }
}

fn listed(ids: &[String]) -> String {
    if ids.is_empty() {
        "no known machine".into()
    } else {
        ids.join(", ")
    }
}

impl RunConfig {
    /// The first field of the workload itself that differs from `other`'s, as `name a → b`:
    /// what a row's figures depend on (not the sizes, repeats or passes a night chose to run).
    pub fn workload_difference(&self, other: &RunConfig) -> Option<String> {
        let fields: [(&str, u64, u64); 8] = [
            ("spans", self.spans, other.spans),
            ("rate", self.rate, other.rate),
            ("producers", self.producers as u64, other.producers as u64),
            ("seed", self.seed, other.seed),
            ("warmup", self.warmup, other.warmup),
            ("fan-out", self.fan_out as u64, other.fan_out as u64),
            ("depth", self.depth as u64, other.depth as u64),
            ("propagate every", self.propagate_every, other.propagate_every),
        ];
        fields.into_iter().find(|(_, a, b)| a != b).map(|(n, a, b)| format!("{n} {a} → {b}"))
    }
}
