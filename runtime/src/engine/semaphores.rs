//! `Meta:sema` (named counting semaphores, `id:N`) and `--sema N` (one for
//! every resource). The engine's coordinator is their only user, so they are
//! plain counters, taken all at once or not at all.

use std::collections::HashMap;

pub(super) struct Semaphores {
    global: Option<(usize, usize)>,
    named: HashMap<String, (usize, usize)>,
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
        }
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

    pub fn release(&mut self, ids: &[String]) {
        if let Some((_, used)) = &mut self.global {
            *used = used.saturating_sub(1);
        }
        for id in ids {
            let (name, _) = parse(id);
            if let Some((_, used)) = self.named.get_mut(name) {
                *used = used.saturating_sub(1);
            }
        }
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

    #[test]
    fn the_global_limit_applies_to_everything() {
        let mut semaphores = Semaphores::new(Some(1));
        assert!(semaphores.try_acquire(&[]));
        assert!(!semaphores.try_acquire(&[]));
        semaphores.release(&[]);
        assert!(semaphores.try_acquire(&[]));
    }
}
