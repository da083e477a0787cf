//! The order in which scikit-learn's `KDTree` and `BallTree` hold their points (their
//! `idx_array`), for OPTICS with the BLAS metrics.
//!
//! scikit-learn's OPTICS computes the reachability updates of a step as one `dgemv` of the
//! new point against its unprocessed neighbours, listed in the order its tree's radius query
//! returns them: the tree's own point order, whatever the query (whole nodes inside the
//! radius are listed in order, leaves are scanned in order, children left to right). The
//! `dgemv` kernel that computes a column depends on its position, which from 8 features on
//! decides some last bits. So clustor rebuilds that order.
//!
//! Both trees build it alike (only their node bounds differ): `n_levels = ⌊log2(max(1,
//! (n − 1)/leaf_size))⌋ + 1` levels of a complete binary tree; a node that is not a leaf is
//! split on the feature of largest spread (the first on ties) at `n_points / 2` by C++
//! `std::nth_element` with a comparator that breaks ties by sample index. The positions
//! `nth_element` leaves the other points in are those of GCC's libstdc++ (introselect:
//! median-of-three pivots, an unguarded partition, insertion sort below four points and
//! heap selection past a depth of 2·⌊log2 n⌋), which is reproduced step by step here.

/// scikit-learn's tree order of the `n` rows of `x` (n×d, row-major, as f64) for
/// `leaf_size`: `order[i]` is the sample at tree position `i`.
pub fn tree_order(x: &[f64], n: usize, d: usize, leaf_size: usize) -> Vec<usize> {
    assert!(x.len() == n * d && leaf_size >= 1);
    let mut idx: Vec<usize> = (0..n).collect();
    if n == 0 || d == 0 {
        return idx;
    }
    let n_levels = ((n - 1) as f64 / leaf_size as f64).max(1.0).log2() as usize + 1;
    let n_nodes = (1usize << n_levels.min(usize::BITS as usize - 1)) - 1;
    // (node, start, end) to split, depth first (the order does not matter: nodes are disjoint).
    let mut stack = vec![(0usize, 0usize, n)];
    while let Some((node, start, end)) = stack.pop() {
        if 2 * node + 1 >= n_nodes || end - start < 2 {
            continue;
        }
        let part = &mut idx[start..end];
        let dim = split_dim(x, d, part);
        let mid = part.len() / 2;
        let less = |a: usize, b: usize| {
            let (va, vb) = (x[a * d + dim], x[b * d + dim]);
            if va == vb {
                a < b
            } else {
                va < vb
            }
        };
        nth_element(part, mid, &less);
        stack.push((2 * node + 2, start + mid, end));
        stack.push((2 * node + 1, start, start + mid));
    }
    idx
}

/// The feature of largest spread (max − min) among the rows `rows`; the first on ties, 0
/// when every spread is 0.
fn split_dim(x: &[f64], d: usize, rows: &[usize]) -> usize {
    let (mut best, mut best_spread) = (0, 0.0);
    for j in 0..d {
        let first = x[rows[0] * d + j];
        let (mut lo, mut hi) = (first, first);
        for &r in &rows[1..] {
            let v = x[r * d + j];
            // fmax/fmin (no NaN here).
            hi = if v > hi { v } else { hi };
            lo = if v < lo { v } else { lo };
        }
        let spread = hi - lo;
        if spread > best_spread {
            best_spread = spread;
            best = j;
        }
    }
    best
}

/// libstdc++'s `std::nth_element(v.begin(), v.begin() + nth, v.end(), less)`.
fn nth_element<F: Fn(usize, usize) -> bool>(v: &mut [usize], nth: usize, less: &F) {
    if v.is_empty() || nth == v.len() {
        return;
    }
    let mut depth = 2 * (usize::BITS - 1 - v.len().leading_zeros()) as usize;
    let (mut first, mut last) = (0usize, v.len());
    while last - first > 3 {
        if depth == 0 {
            heap_select(&mut v[first..last], nth + 1 - first, less);
            v.swap(first, nth);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(v, first, last, less);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(&mut v[first..last], less);
}

/// `__unguarded_partition_pivot`: the median of `v[first+1]`, the middle and `v[last−1]`
/// moved to `first`, then the rest partitioned around it. Returns the cut.
fn partition_pivot<F: Fn(usize, usize) -> bool>(v: &mut [usize], first: usize, last: usize, less: &F) -> usize {
    let mid = first + (last - first) / 2;
    let (a, b, c) = (first + 1, mid, last - 1);
    let median = if less(v[a], v[b]) {
        if less(v[b], v[c]) {
            b
        } else if less(v[a], v[c]) {
            c
        } else {
            a
        }
    } else if less(v[a], v[c]) {
        a
    } else if less(v[b], v[c]) {
        c
    } else {
        b
    };
    v.swap(first, median);
    // __unguarded_partition(first + 1, last, pivot = first).
    let (mut lo, mut hi) = (first + 1, last);
    loop {
        while less(v[lo], v[first]) {
            lo += 1;
        }
        hi -= 1;
        while less(v[first], v[hi]) {
            hi -= 1;
        }
        if lo >= hi {
            return lo;
        }
        v.swap(lo, hi);
        lo += 1;
    }
}

/// `__insertion_sort`.
fn insertion_sort<F: Fn(usize, usize) -> bool>(v: &mut [usize], less: &F) {
    for i in 1..v.len() {
        let val = v[i];
        if less(val, v[0]) {
            v.copy_within(0..i, 1);
            v[0] = val;
        } else {
            // __unguarded_linear_insert.
            let mut j = i;
            while less(val, v[j - 1]) {
                v[j] = v[j - 1];
                j -= 1;
            }
            v[j] = val;
        }
    }
}

/// `__heap_select(first, first + middle, last)`: a max-heap of the first `middle` values,
/// each later value smaller than its top swapped in.
fn heap_select<F: Fn(usize, usize) -> bool>(v: &mut [usize], middle: usize, less: &F) {
    // __make_heap.
    if middle >= 2 {
        let mut parent = (middle - 2) / 2;
        loop {
            let value = v[parent];
            adjust_heap(&mut v[..middle], parent, value, less);
            if parent == 0 {
                break;
            }
            parent -= 1;
        }
    }
    for i in middle..v.len() {
        if less(v[i], v[0]) {
            // __pop_heap(first, middle, i).
            let value = v[i];
            v[i] = v[0];
            adjust_heap(&mut v[..middle], 0, value, less);
        }
    }
}

/// `__adjust_heap(first, hole, len = heap.len(), value)` with its `__push_heap`.
fn adjust_heap<F: Fn(usize, usize) -> bool>(heap: &mut [usize], mut hole: usize, value: usize, less: &F) {
    let len = heap.len();
    let top = hole;
    let mut child = hole;
    while len >= 1 && child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if less(heap[child], heap[child - 1]) {
            child -= 1;
        }
        heap[hole] = heap[child];
        hole = child;
    }
    if len & 1 == 0 && len >= 2 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        heap[hole] = heap[child - 1];
        hole = child - 1;
    }
    // __push_heap(first, hole, top, value).
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(heap[parent], value) {
            break;
        }
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_partitioned(v: &[usize], nth: usize, less: &impl Fn(usize, usize) -> bool) -> bool {
        v[..nth].iter().all(|&a| !less(v[nth], a)) && v[nth + 1..].iter().all(|&b| !less(b, v[nth]))
    }

    #[test]
    fn nth_element_partitions_and_heap_select_too() {
        let mut r = crate::rng::Rng::new(4);
        for n in [1usize, 2, 3, 4, 5, 17, 100, 1000] {
            let keys: Vec<f64> = (0..n).map(|_| r.below(7) as f64).collect();
            let less = |a: usize, b: usize| if keys[a] == keys[b] { a < b } else { keys[a] < keys[b] };
            let mut sorted: Vec<usize> = (0..n).collect();
            sorted.sort_by(|&a, &b| keys[a].partial_cmp(&keys[b]).unwrap().then(a.cmp(&b)));
            for nth in [0, n / 3, n / 2, n - 1] {
                let mut v: Vec<usize> = (0..n).rev().collect();
                nth_element(&mut v, nth, &less);
                assert_eq!(v[nth], sorted[nth], "n={n} nth={nth}");
                assert!(is_partitioned(&v, nth, &less));
                let mut h: Vec<usize> = (0..n).collect();
                heap_select(&mut h, nth + 1, &less);
                h.swap(0, nth);
                assert_eq!(h[nth], sorted[nth], "heap n={n} nth={nth}");
                assert!(is_partitioned(&h, nth, &less));
            }
        }
    }

    #[test]
    fn tree_order_is_a_permutation_split_at_the_median() {
        // Worked by hand: 5 points on a line, leaf_size 1 → 3 levels (7 nodes). The root
        // splits at 2 points; its left child (2 points) splits at 1.
        let x = [4.0, 0.0, 3.0, 1.0, 2.0];
        let order = tree_order(&x, 5, 1, 1);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
        // Root: nth_element at 2 leaves {0, 1} left and 2 at position 2; each child (2 and 3
        // points) is then split by insertion sort, which sorts it.
        assert_eq!(order, vec![1, 3, 4, 2, 0]);
        // One leaf holds everything: the identity.
        assert_eq!(tree_order(&x, 5, 1, 30), vec![0, 1, 2, 3, 4]);
    }
}
