//! Work spread over the machine's cores, with results in input order: the same output
//! whatever the number of threads (SPEC §5).

/// `f` applied to every item, on up to as many threads as there are cores.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_by(items, 64, f)
}

/// [`map`], with at least `grain` items a thread: small for items that each take long
/// enough to pay for a thread of their own.
pub fn map_by<T: Sync, R: Send>(items: &[T], grain: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / grain.max(1))
        .max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk)) {
            // A worker that panicked (none should) is redone here, so no item is lost.
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(_) => out.extend(part.iter().map(f)),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }
}
