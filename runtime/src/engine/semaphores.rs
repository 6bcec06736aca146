//! `Meta:sema` (named counting semaphores, `id:N`) and `--sema N` (one for
//! every resource). The engine's coordinator is their only user, so they are
//! plain counters, taken all at once or not at all.
//!
//! Resources that could not take theirs wait in a queue per set of
//! semaphores, first come first served; a release hands back the first of
//! each queue to try again, so a pass never walks everything that waits.

use crate::spec::ResourceKey;
use std::collections::{HashMap, VecDeque};

pub(super) struct Semaphores {
    global: Option<(usize, usize)>,
    named: HashMap<String, (usize, usize)>,
    queues: HashMap<Vec<String>, VecDeque<ResourceKey>>,
    /// The queue each waiting resource is in.
    waiting: HashMap<ResourceKey, Vec<String>>,
}

/// `lock:2` -> (`lock`, 2); `lock` -> (`lock`, 1).
fn parse(id: &str) -> (&str, usize) {
    match id.rsplit_once(':') {
        Some((name, count)) => match count.parse::<usize>() {
            Ok(count) if count > 0 => (name, count),
            _ => (id, 1),
        },
        None => (id, 1),
    }
}

impl Semaphores {
    pub fn new(global: Option<usize>) -> Semaphores {
        Semaphores {
            global: global.map(|capacity| (capacity.max(1), 0)),
            named: HashMap::new(),
            queues: HashMap::new(),
            waiting: HashMap::new(),
        }
    }

    /// Queues `key`, which needs `ids`; `first` puts it back at the head
    /// (it was first and still could not take them). Already queued: no-op.
    pub fn wait(&mut self, ids: &[String], key: &ResourceKey, first: bool) {
        if self.waiting.contains_key(key) {
            return;
        }
        let queue = self.queues.entry(ids.to_vec()).or_default();
        if first {
            queue.push_front(key.clone());
        } else {
            queue.push_back(key.clone());
        }
        self.waiting.insert(key.clone(), ids.to_vec());
    }

    /// Takes `key` out of its queue when it is first there (it is about to
    /// be tried); says whether it was.
    pub fn take_if_first(&mut self, key: &ResourceKey) -> bool {
        if self.waiting.is_empty() {
            return false;
        }
        let Some(ids) = self.waiting.get(key) else {
            return false;
        };
        let Some(queue) = self.queues.get_mut(ids) else {
            return false;
        };
        if queue.front() != Some(key) {
            return false;
        }
        queue.pop_front();
        if queue.is_empty() {
            self.queues.remove(ids);
        }
        self.waiting.remove(key);
        true
    }

    pub fn try_acquire(&mut self, ids: &[String]) -> bool {
        if let Some((capacity, used)) = self.global {
            if used >= capacity {
                return false;
            }
        }
        for id in ids {
            let (name, capacity) = parse(id);
            let (_, used) = self.named.get(name).copied().unwrap_or((capacity, 0));
            if used >= capacity {
                return false;
            }
        }
        if let Some((_, used)) = &mut self.global {
            *used += 1;
        }
        for id in ids {
            let (name, capacity) = parse(id);
            self.named.entry(name.to_owned()).or_insert((capacity, 0)).1 += 1;
        }
        true
    }

    /// Gives back `ids`; returns the first waiter of each queue, to try again.
    pub fn release(&mut self, ids: &[String]) -> Vec<ResourceKey> {
        if let Some((_, used)) = &mut self.global {
            *used = used.saturating_sub(1);
        }
        for id in ids {
            let (name, _) = parse(id);
            if let Some((_, used)) = self.named.get_mut(name) {
                *used = used.saturating_sub(1);
            }
        }
        self.queues
            .values()
            .filter_map(|queue| queue.front().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_semaphores_count() {
        let mut semaphores = Semaphores::new(None);
        let lock = vec!["lock:2".to_owned()];
        assert!(semaphores.try_acquire(&lock));
        assert!(semaphores.try_acquire(&lock));
        assert!(!semaphores.try_acquire(&lock));
        semaphores.release(&lock);
        assert!(semaphores.try_acquire(&lock));
    }

    fn key(name: &str) -> ResourceKey {
        ("exec".to_owned(), name.to_owned())
    }

    #[test]
    fn waiters_are_handed_back_first_come_first_served() {
        let mut semaphores = Semaphores::new(None);
        let lock = vec!["lock".to_owned()];
        assert!(semaphores.try_acquire(&lock));
        for name in ["a", "b", "c"] {
            assert!(!semaphores.try_acquire(&lock));
            semaphores.wait(&lock, &key(name), false);
        }
        // Queued twice: still once in the queue.
        semaphores.wait(&lock, &key("b"), false);
        assert_eq!(semaphores.release(&lock), [key("a")]);
        assert!(!semaphores.take_if_first(&key("b")), "b is not first");
        assert!(semaphores.take_if_first(&key("a")));
        assert!(semaphores.try_acquire(&lock));
        assert_eq!(semaphores.release(&lock), [key("b")]);
        assert!(semaphores.take_if_first(&key("b")));
        // Something else took the semaphore first: b goes back to the head.
        assert!(semaphores.try_acquire(&lock));
        semaphores.wait(&lock, &key("b"), true);
        assert_eq!(semaphores.release(&lock), [key("b")]);
    }

    #[test]
    fn the_global_limit_applies_to_everything() {
        let mut semaphores = Semaphores::new(Some(1));
        assert!(semaphores.try_acquire(&[]));
        assert!(!semaphores.try_acquire(&[]));
        semaphores.release(&[]);
        assert!(semaphores.try_acquire(&[]));
    }
}
