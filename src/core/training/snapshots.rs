//! Time travel: copies of the weights at the end of every epoch and every N steps, kept within
//! a memory budget.
//!
//! Policy. A snapshot costs [`Snapshot::bytes`] = 4 bytes per weight and bias (the f32
//! payload; the few dozen bytes of bookkeeping per snapshot are not counted). After every
//! [`SnapshotStore::push`] the stored snapshots together cost at most the budget:
//! 1. a snapshot larger than the whole budget is not stored;
//! 2. while over budget, one step snapshot is dropped: the one whose removal leaves the smallest
//!    gap relative to its age (gap between its neighbours ÷ steps since it was taken), so recent
//!    steps stay dense and older ones thin out roughly geometrically; the newest snapshot is
//!    never dropped;
//! 3. epoch snapshots are dropped (oldest first) only when no step snapshot is left and the
//!    epoch snapshots alone exceed the budget.

use serde::{Deserialize, Serialize};

use crate::core::nn::{Activation, Dense, Network};

/// Why a snapshot was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotKind {
    /// At the end of an epoch.
    Epoch,
    /// Every N optimiser steps.
    Step,
}

/// What a snapshot is, without its weights (the weights travel as a typed array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    /// Optimiser steps taken when it was copied.
    pub step: u64,
    /// Epochs completed at that step.
    pub epoch: usize,
    pub kind: SnapshotKind,
    /// What it costs against the budget: 4 × parameters.
    pub bytes: usize,
}

/// The weights at one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub meta: SnapshotMeta,
    pub network: Network,
}

impl Snapshot {
    /// A snapshot of `network` after `step` steps and `epoch` epochs.
    pub fn new(network: Network, step: u64, epoch: usize, kind: SnapshotKind) -> Snapshot {
        Snapshot {
            meta: SnapshotMeta {
                step,
                epoch,
                kind,
                bytes: Snapshot::bytes(&network),
            },
            network,
        }
    }

    /// The budget cost of a snapshot of `network`: 4 bytes per parameter.
    pub fn bytes(network: &Network) -> usize {
        4 * network.parameter_count()
    }
}

/// Every parameter in one array, layer by layer: the weights (`outputs × inputs`, row-major)
/// then the biases. The layout in which snapshots travel to the page as a `Float32Array`.
pub fn flatten(network: &Network) -> Vec<f32> {
    let mut flat = Vec::with_capacity(network.parameter_count());
    for l in &network.layers {
        flat.extend_from_slice(&l.weights);
        flat.extend_from_slice(&l.biases);
    }
    flat
}

/// The inverse of [`flatten`]: layers of `sizes` (input first) with `activations` (one per
/// layer) and the parameters in `flat`; `None` if the lengths do not match.
pub fn unflatten(sizes: &[usize], activations: &[Activation], flat: &[f32]) -> Option<Network> {
    let shapes = sizes.windows(2).map(|w| (w[0], w[1]));
    let needed: usize = shapes.clone().map(|(i, o)| i * o + o).sum();
    if activations.len() + 1 != sizes.len() || flat.len() != needed {
        return None;
    }
    let mut rest = flat;
    let layers = shapes
        .zip(activations)
        .map(|((inputs, outputs), &activation)| {
            let (w, after) = rest.split_at(inputs * outputs);
            let (b, after) = after.split_at(outputs);
            rest = after;
            Dense {
                inputs,
                outputs,
                weights: w.to_vec(),
                biases: b.to_vec(),
                activation,
            }
        })
        .collect();
    Some(Network { layers })
}

/// Snapshots by step, within a budget in bytes (see the module's policy).
#[derive(Clone, Debug)]
pub struct SnapshotStore {
    budget: usize,
    /// Ascending by step; epoch and step snapshots together.
    kept: Vec<Snapshot>,
}

impl SnapshotStore {
    /// An empty store that will hold at most `budget` bytes.
    pub fn new(budget: usize) -> SnapshotStore {
        SnapshotStore {
            budget,
            kept: Vec::new(),
        }
    }

    /// The budget in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Bytes held now (≤ the budget).
    pub fn bytes(&self) -> usize {
        self.kept.iter().map(|s| s.meta.bytes).sum()
    }

    /// Number of snapshots held.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// What is held, ascending by step.
    pub fn metas(&self) -> Vec<SnapshotMeta> {
        self.kept.iter().map(|s| s.meta.clone()).collect()
    }

    /// Adds a snapshot (steps must not go backwards; one at the same step as the newest
    /// replaces it unless that one is an epoch snapshot and this one is not), then drops others
    /// until the budget holds. Returns whether it was stored.
    pub fn push(&mut self, snapshot: Snapshot) -> bool {
        if snapshot.meta.bytes > self.budget {
            return false;
        }
        if let Some(last) = self.kept.last() {
            if last.meta.step == snapshot.meta.step {
                if last.meta.kind == SnapshotKind::Epoch && snapshot.meta.kind == SnapshotKind::Step
                {
                    return true;
                }
                self.kept.pop();
            }
        }
        debug_assert!(self
            .kept
            .last()
            .is_none_or(|l| l.meta.step < snapshot.meta.step));
        self.kept.push(snapshot);
        while self.bytes() > self.budget {
            let victim = self.thinnest_step().or_else(|| self.oldest_epoch());
            match victim {
                Some(i) => {
                    self.kept.remove(i);
                }
                None => break,
            }
        }
        true
    }

    /// The step snapshot (not the newest snapshot) whose removal costs least: the smallest
    /// (gap between its neighbours) ÷ (steps since it was taken); the oldest on ties.
    fn thinnest_step(&self) -> Option<usize> {
        let newest = self.kept.last()?.meta.step;
        let last = self.kept.len() - 1;
        (0..last)
            .filter(|&i| self.kept[i].meta.kind == SnapshotKind::Step)
            .map(|i| {
                let before = if i == 0 {
                    0
                } else {
                    self.kept[i - 1].meta.step
                };
                let gap = (self.kept[i + 1].meta.step - before) as f64;
                let age = (newest - self.kept[i].meta.step) as f64;
                (i, gap / age)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// The oldest epoch snapshot that is not the newest snapshot.
    fn oldest_epoch(&self) -> Option<usize> {
        let last = self.kept.len().checked_sub(1)?;
        (0..last).find(|&i| self.kept[i].meta.kind == SnapshotKind::Epoch)
    }

    /// The snapshot taken at `step`, or the latest one before it; `None` if all are later.
    pub fn at_or_before(&self, step: u64) -> Option<&Snapshot> {
        let after = self.kept.partition_point(|s| s.meta.step <= step);
        after.checked_sub(1).map(|i| &self.kept[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::Activation;

    fn net(seed: u64) -> Network {
        Network::init(&[6, 4, 3], Activation::Relu, Activation::Softmax, seed).unwrap()
    }

    /// Bytes of one snapshot of `net`: (6·4 + 4 + 4·3 + 3) × 4 = 172.
    const ONE: usize = 172;

    #[test]
    fn flatten_round_trips() {
        let n = net(3);
        let flat = flatten(&n);
        assert_eq!(flat.len(), n.parameter_count());
        assert_eq!(flat[..24], n.layers[0].weights[..]);
        assert_eq!(flat[24..28], n.layers[0].biases[..]);
        let activations: Vec<Activation> = n.layers.iter().map(|l| l.activation).collect();
        assert_eq!(unflatten(&n.sizes(), &activations, &flat), Some(n.clone()));
        assert_eq!(unflatten(&n.sizes(), &activations, &flat[1..]), None);
        assert_eq!(unflatten(&n.sizes(), &activations[1..], &flat), None);
        assert_eq!(Snapshot::bytes(&net(1)), ONE);
    }

    /// What a store with room for `room` snapshots holds after [`fill`]: it is full.
    fn filled(room: usize) -> Vec<SnapshotMeta> {
        let mut store = SnapshotStore::new(room * ONE);
        fill(&mut store);
        assert_eq!(store.len(), room);
        store.metas()
    }

    /// Runs 30 epochs of 100 steps with a step snapshot every 10 steps.
    fn fill(store: &mut SnapshotStore) {
        for step in 1..=3000u64 {
            if step % 10 == 0 {
                store.push(Snapshot::new(
                    net(step),
                    step,
                    ((step - 1) / 100) as usize,
                    SnapshotKind::Step,
                ));
                assert!(
                    store.bytes() <= store.budget(),
                    "step {step}: {}",
                    store.bytes()
                );
            }
            if step % 100 == 0 {
                store.push(Snapshot::new(
                    net(step),
                    step,
                    (step / 100) as usize,
                    SnapshotKind::Epoch,
                ));
                assert!(store.bytes() <= store.budget());
            }
        }
    }

    /// The steps of the snapshots of one kind.
    fn steps_of(metas: &[SnapshotMeta], kind: SnapshotKind) -> Vec<u64> {
        metas
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.step)
            .collect()
    }

    #[test]
    fn budget_holds_epochs_stay_and_older_steps_thin_out() {
        let metas = filled(60);
        // All 30 epoch snapshots are kept, once each (the step snapshot at the same step gave way).
        let epochs = steps_of(&metas, SnapshotKind::Epoch);
        assert_eq!(epochs, (1..=30).map(|e| 100 * e).collect::<Vec<_>>());
        assert!(metas.windows(2).all(|w| w[0].step < w[1].step));
        // The newest step snapshots are dense, the oldest sparse.
        let steps = steps_of(&metas, SnapshotKind::Step);
        assert_eq!(steps.len(), 30);
        assert!(steps.ends_with(&[2970, 2980, 2990]), "{steps:?}");
        let early = steps.iter().filter(|&&s| s < 1500).count();
        let late = steps.iter().filter(|&&s| s >= 1500).count();
        assert!(late > 2 * early, "{steps:?}");
    }

    #[test]
    fn epochs_go_only_when_they_alone_exceed_the_budget() {
        let metas = filled(10);
        assert!(metas.iter().all(|m| m.kind == SnapshotKind::Epoch));
        assert_eq!(metas[0].step, 2100);
        assert_eq!(metas[9].step, 3000);
        // Too small for even one snapshot: nothing is stored.
        let mut tiny = SnapshotStore::new(ONE - 1);
        assert!(!tiny.push(Snapshot::new(net(1), 5, 0, SnapshotKind::Epoch)));
        assert!(tiny.is_empty() && tiny.bytes() == 0);
    }

    /// The default schedule (a snapshot every 200 steps, 938 steps an epoch, 64 MiB) for
    /// `epochs` epochs of a network whose snapshot costs `bytes`: what is held at the end.
    fn default_schedule(bytes: usize, epochs: u64) -> Vec<SnapshotMeta> {
        let options = crate::core::training::RunOptions::default();
        let mut store = SnapshotStore::new(options.snapshot_budget);
        let costing = |step, epoch, kind| {
            let mut s = Snapshot::new(net(1), step, epoch as usize, kind);
            s.meta.bytes = bytes;
            s
        };
        store.push(costing(0, 0, SnapshotKind::Step));
        for step in 1..=938 * epochs {
            if step % options.snapshot_every == 0 {
                store.push(costing(step, (step - 1) / 938, SnapshotKind::Step));
            }
            if step % 938 == 0 {
                store.push(costing(step, step / 938, SnapshotKind::Epoch));
            }
            assert!(store.bytes() <= store.budget());
        }
        store.metas()
    }

    #[test]
    fn default_budget_for_the_default_networks() {
        // 784-100-10: 79,510 parameters; 784-256-128-10: 235,146.
        let (small, large) = (4 * 79_510, 4 * 235_146);
        for bytes in [small, large] {
            let held = default_schedule(bytes, 10);
            assert_eq!(held.len(), 57, "nothing thinned in 10 epochs");
            assert_eq!(steps_of(&held, SnapshotKind::Epoch).len(), 10);
        }
        let held = default_schedule(small, 100);
        assert_eq!(held.len(), 211);
        assert_eq!(steps_of(&held, SnapshotKind::Epoch).len(), 100);
        let held = default_schedule(large, 100);
        assert_eq!(held.len(), 71);
        assert_eq!(
            steps_of(&held, SnapshotKind::Epoch),
            (30..=100).map(|e| 938 * e).collect::<Vec<u64>>()
        );
    }

    #[test]
    fn lookup_at_or_before_a_step() {
        let mut store = SnapshotStore::new(1 << 20);
        for step in [0u64, 10, 20, 35] {
            store.push(Snapshot::new(net(step), step, 0, SnapshotKind::Step));
        }
        assert_eq!(store.len(), 4);
        assert_eq!(store.at_or_before(0).unwrap().meta.step, 0);
        assert_eq!(store.at_or_before(19).unwrap().meta.step, 10);
        assert_eq!(store.at_or_before(20).unwrap().network, net(20));
        assert_eq!(store.at_or_before(1000).unwrap().meta.step, 35);
        let mut later = SnapshotStore::new(1 << 20);
        later.push(Snapshot::new(net(1), 5, 0, SnapshotKind::Step));
        assert!(later.at_or_before(4).is_none());
    }
}
