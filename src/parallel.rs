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
        // The first thread's results grow into the whole, rather than all being copied into
        // a new vector: one copy of the results less at the peak.
        let mut out: Vec<R> = Vec::new();
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk)) {
            // A worker that panicked (none should) is redone here, so no item is lost.
            match handle.join() {
                Ok(results) if out.is_empty() => {
                    out = results;
                    out.reserve_exact(items.len() - out.len());
                }
                Ok(results) => out.extend(results),
                Err(_) => out.extend(part.iter().map(f)),
            }
        }
        out
    })
}

/// `f` applied to every item, on up to as many threads as there are cores, each thread taking
/// the next item as it finishes one, costliest first by `cost`: for a few items of uneven
/// cost, which fixed shares would leave one core idle while the other works through two.
/// Results are in input order.
pub fn map_queued<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(items.get(k).map_or(0, &cost)));
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, order, next) = (&f, &order, &next);
    let work = move || {
        let mut done = Vec::new();
        loop {
            let taken = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((k, item)) = order.get(taken).and_then(|&k| Some((k, items.get(k)?))) else {
                return done;
            };
            done.push((k, f(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        // A worker that panicked (none should) loses its items: they are redone below.
        others
            .into_iter()
            .for_each(|h| done.extend(h.join().unwrap_or_default()));
        done
    });
    done.sort_by_key(|d| d.0);
    let mut out = Vec::with_capacity(items.len());
    let mut done = done.into_iter().peekable();
    for (k, item) in items.iter().enumerate() {
        match done.next_if(|d| d.0 == k) {
            Some((_, r)) => out.push(r),
            None => out.push(f(item)),
        }
    }
    out
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

    #[test]
    fn queued_results_keep_the_input_order_whatever_the_cost() {
        let items: Vec<usize> = (0..50).collect();
        let doubled = super::map_queued(&items, |x| x % 7, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
