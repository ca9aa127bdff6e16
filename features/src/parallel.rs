//! Work on every core over the chunks of a slice, results in the slice's order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every `chunk`-long piece of `items` (the last one shorter), in `items` order. The
/// pieces are taken from a shared counter by one thread per core, so a core slowed by other
/// work takes fewer; with one core or one piece, `f` runs inline.
pub fn chunks_in_order<I: Sync, T: Send>(
    items: &[I],
    chunk: usize,
    f: impl Fn(&[I]) -> T + Sync,
) -> Vec<T> {
    let pieces: Vec<&[I]> = items.chunks(chunk.max(1)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    if pieces.len() <= 1 || threads == 1 {
        return pieces.into_iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(pieces.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(piece) = pieces.get(i) else {
                            return out;
                        };
                        out.push((i, f(piece)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_once_in_order() {
        let items: Vec<u32> = (0..1_000).collect();
        let sums = chunks_in_order(&items, 64, |c| (c[0], c.iter().sum::<u32>()));
        assert_eq!(sums.len(), 16);
        assert_eq!(sums[0], (0, (0..64).sum()));
        assert_eq!(sums[15], (960, (960..1_000).sum()));
        assert!(sums.windows(2).all(|w| w[0].0 + 64 == w[1].0));
        assert!(chunks_in_order(&[] as &[u32], 8, |c| c.len()).is_empty());
    }
}
