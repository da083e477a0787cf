//! A grid of cells for DBSCAN in few dimensions (after Wang, Gu & Shun, SIGMOD 2020).
//!
//! Cells are cubes of side a little under `eps/√d` (euclidean) or `eps/d` (manhattan), so
//! all points of one cell are normally within `eps` of each other: a cell holding
//! `min_samples` points is all core and one component, and two such cells are joined by one
//! core pair within `eps`, found with an early exit. Whether a cell really is that tight is
//! not taken from its side: it is tested on the bounding box of its points with the exact
//! bound of the kernel, as the KD-tree's tight leaves are, so rounding never changes a result.
//!
//! Each cell keeps the cells that may hold neighbours of its points (those whose boxes come
//! within the radius of its box): a query from a point scans those cells only, taking a cell
//! whole when its box lies within the radius. Rows are copied once into cell order.

use std::ops::Range;

use crate::float::Float;
use crate::matrix::MatRef;
use crate::neighbors::kdtree::scan_within;
use crate::neighbors::{Kernel, Manhattan, SqEuclidean, Visitor};

/// Most features for which a grid is built: the cells next to a cell grow as `5^d`.
pub(crate) const MAX_GRID_FEATURES: usize = 3;

/// Most near-cell entries per row before the grid gives way to the tree (2 features never
/// exceed 21 per cell).
const NEAR_PER_ROW: usize = 24;

/// Bounds between two boxes, for the metrics a grid serves.
pub(crate) trait BoxPair: Kernel {
    /// Cell side whose cube has diameter `eps` in exact arithmetic.
    fn side(eps: f64, d: usize) -> f64;
    /// Lower bound of the reduced distance between any point of box `a` and any of box `b`.
    fn pair_min(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64;
    /// Upper bound of the reduced distance between any point of box `a` and any of box `b`.
    fn pair_max(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64;
}

// Per feature, the gap between the boxes is never more than any two of their points' own
// difference, and the spread never less; rounding is monotonic, so the bounds accumulated
// like the distances (feature by feature, in order) hold in floating point too.
#[inline(always)]
fn gap(al: f64, ah: f64, bl: f64, bh: f64) -> f64 {
    if bl > ah {
        bl - ah
    } else if al > bh {
        al - bh
    } else {
        0.0
    }
}

#[inline(always)]
fn spread(al: f64, ah: f64, bl: f64, bh: f64) -> f64 {
    (bh - al).abs().max((ah - bl).abs())
}

impl BoxPair for SqEuclidean {
    fn side(eps: f64, d: usize) -> f64 {
        eps / (d as f64).sqrt()
    }
    #[inline(always)]
    fn pair_min(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
        let mut s = 0.0;
        for f in 0..alo.len() {
            let t = gap(alo[f], ahi[f], blo[f], bhi[f]);
            s += t * t;
        }
        s
    }
    #[inline(always)]
    fn pair_max(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
        let mut s = 0.0;
        for f in 0..alo.len() {
            let t = spread(alo[f], ahi[f], blo[f], bhi[f]);
            s += t * t;
        }
        s
    }
}

impl BoxPair for Manhattan {
    fn side(eps: f64, d: usize) -> f64 {
        eps / d as f64
    }
    #[inline(always)]
    fn pair_min(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
        (0..alo.len()).map(|f| gap(alo[f], ahi[f], blo[f], bhi[f])).fold(0.0, |s, t| s + t)
    }
    #[inline(always)]
    fn pair_max(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
        (0..alo.len()).map(|f| spread(alo[f], ahi[f], blo[f], bhi[f])).fold(0.0, |s, t| s + t)
    }
}

/// The rows of a matrix arranged by cell.
#[derive(Debug)]
pub(crate) struct Grid<T> {
    d: usize,
    /// Rows in cell order (n×d).
    data: Vec<T>,
    /// Original row of each position.
    index: Vec<usize>,
    /// Cell of each position.
    cell_of: Vec<u32>,
    /// Cell `c` holds positions `starts[c]..starts[c + 1]`.
    starts: Vec<usize>,
    /// Bounding box of each cell's rows: `lo` then `hi` (2d values per cell).
    bounds: Vec<f64>,
    /// The cells that may hold neighbours of cell `c`'s points (itself included):
    /// `near[near_start[c]..near_start[c + 1]]`, ascending.
    near_start: Vec<usize>,
    near: Vec<u32>,
}

impl<T: Float> Grid<T> {
    /// Builds the grid for radius `eps` (reduced radius `r`) over `x` (n×d, finite), or
    /// `None` when a grid does not fit the data (too many features, or a span so wide that
    /// cell coordinates would lose precision).
    pub(crate) fn build<K: BoxPair>(x: MatRef<'_, T>, eps: f64, r: f64) -> Option<Self> {
        let (n, d) = (x.rows(), x.cols());
        if n == 0 || d == 0 || d > MAX_GRID_FEATURES || n >= u32::MAX as usize {
            return None;
        }
        // A little under the exact side, so that rounding rarely leaves a cell not tight.
        let side = K::side(eps, d) * (1.0 - 1e-9);
        // Two points within eps differ by less than `reach + 1` cells per feature.
        let reach = (eps / side).floor() as i64 + 1;
        let mut lo = vec![f64::INFINITY; d];
        for i in 0..n {
            for (l, v) in lo.iter_mut().zip(x.row(i)) {
                *l = l.min(v.as_f64());
            }
        }
        const MAX_COORD: f64 = (1u64 << 40) as f64;
        let mut keys: Vec<([i64; MAX_GRID_FEATURES], usize)> = Vec::with_capacity(n);
        for i in 0..n {
            let mut k = [0i64; MAX_GRID_FEATURES];
            for (f, v) in x.row(i).iter().enumerate() {
                let c = ((v.as_f64() - lo[f]) / side).floor();
                if !(c < MAX_COORD) {
                    return None;
                }
                k[f] = c as i64;
            }
            keys.push((k, i));
        }
        keys.sort_unstable();

        let mut data = Vec::with_capacity(n * d);
        let mut index = Vec::with_capacity(n);
        let mut cell_of = Vec::with_capacity(n);
        let mut starts = Vec::new();
        let mut cell_keys = Vec::new();
        for (p, &(k, i)) in keys.iter().enumerate() {
            if p == 0 || k != keys[p - 1].0 {
                starts.push(p);
                cell_keys.push(k);
            }
            cell_of.push((starts.len() - 1) as u32);
            index.push(i);
            data.extend_from_slice(x.row(i));
        }
        drop(keys);
        starts.push(n);
        let n_cells = cell_keys.len();
        let mut bounds = vec![0.0; 2 * d * n_cells];
        for c in 0..n_cells {
            let (l, h) = bounds[2 * d * c..2 * d * (c + 1)].split_at_mut(d);
            l.fill(f64::INFINITY);
            h.fill(f64::NEG_INFINITY);
            for p in starts[c]..starts[c + 1] {
                for (f, v) in data[p * d..(p + 1) * d].iter().enumerate() {
                    l[f] = l[f].min(v.as_f64());
                    h[f] = h[f].max(v.as_f64());
                }
            }
        }

        // Cells near each cell: for every offset of the leading features, one binary search
        // finds the run of cells along the last feature.
        let mut near_start = Vec::with_capacity(n_cells + 1);
        let mut near = Vec::new();
        let lead = d - 1;
        let width = (2 * reach + 1) as usize;
        let n_offsets = width.pow(lead as u32);
        for c in 0..n_cells {
            near_start.push(near.len());
            let key = cell_keys[c];
            let (alo, ahi) = bounds[2 * d * c..2 * d * (c + 1)].split_at(d);
            for o in 0..n_offsets {
                let mut from = key;
                let mut rest = o;
                for k in from.iter_mut().take(lead) {
                    *k += (rest % width) as i64 - reach;
                    rest /= width;
                }
                let mut to = from;
                from[lead] = key[lead] - reach;
                to[lead] = key[lead] + reach;
                let first = cell_keys.partition_point(|k| *k < from);
                for (b, kb) in cell_keys.iter().enumerate().skip(first) {
                    if *kb > to {
                        break;
                    }
                    let (blo, bhi) = bounds[2 * d * b..2 * d * (b + 1)].split_at(d);
                    if K::pair_min(alo, ahi, blo, bhi) <= r {
                        near.push(b as u32);
                    }
                }
            }
            // Offsets run over the leading features from the lowest digit up, which is not
            // key order when d > 2.
            near[near_start[c]..].sort_unstable();
            // Many nearly empty cells (3 features, about one point per cell) would make the
            // lists outgrow the data: the tree serves those.
            if near.len() > NEAR_PER_ROW * n {
                return None;
            }
        }
        near_start.push(near.len());
        Some(Self { d, data, index, cell_of, starts, bounds, near_start, near })
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Number of cells.
    pub(crate) fn n_cells(&self) -> usize {
        self.starts.len() - 1
    }

    /// Original row of position `pos`.
    #[inline(always)]
    pub(crate) fn index(&self, pos: usize) -> usize {
        self.index[pos]
    }

    /// Row at position `pos`.
    #[inline(always)]
    pub(crate) fn row(&self, pos: usize) -> &[T] {
        &self.data[pos * self.d..(pos + 1) * self.d]
    }

    /// Cell of position `pos`.
    #[inline(always)]
    pub(crate) fn cell_of(&self, pos: usize) -> usize {
        self.cell_of[pos] as usize
    }

    /// Positions of cell `c`.
    #[inline(always)]
    pub(crate) fn cell(&self, c: usize) -> Range<usize> {
        self.starts[c]..self.starts[c + 1]
    }

    /// Bounding box `(lo, hi)` of cell `c`.
    #[inline(always)]
    pub(crate) fn bbox(&self, c: usize) -> (&[f64], &[f64]) {
        self.bounds[2 * self.d * c..2 * self.d * (c + 1)].split_at(self.d)
    }

    /// The cells that may hold neighbours of cell `c`'s points, itself included, ascending.
    #[inline(always)]
    pub(crate) fn near(&self, c: usize) -> &[u32] {
        &self.near[self.near_start[c]..self.near_start[c + 1]]
    }

    /// The cells: positions and bounding boxes, in order.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (Range<usize>, &[f64], &[f64])> + '_ {
        (0..self.n_cells()).map(move |c| {
            let (lo, hi) = self.bbox(c);
            (self.cell(c), lo, hi)
        })
    }

    /// Visits every point whose reduced distance to `q`, a point of cell `home`, is `<= r`
    /// (the same contract as the KD-tree's `visit_within`). Returns false when the visitor
    /// stopped.
    #[inline]
    pub(crate) fn visit_within<K: Kernel, V: Visitor>(&self, q: &[f64], home: usize, r: f64, v: &mut V) -> bool {
        for &b in self.near(home) {
            let b = b as usize;
            let (lo, hi) = self.bbox(b);
            if K::box_min(q, lo, hi) > r {
                continue;
            }
            let range = self.cell(b);
            if V::NODES && K::EXACT_BOX && K::box_max(q, lo, hi) <= r {
                if !v.all(range) {
                    return false;
                }
                continue;
            }
            if !scan_within::<K, T, V>(q, &self.data, self.d, range, r, v) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    struct Collect(Vec<usize>);
    impl Visitor for Collect {
        const NODES: bool = true;
        fn point(&mut self, pos: usize, _: f64) -> bool {
            self.0.push(pos);
            true
        }
        fn all(&mut self, r: Range<usize>) -> bool {
            self.0.extend(r);
            true
        }
    }

    fn check<K: BoxPair>(x: &[f64], n: usize, d: usize, eps: f64, r: f64) {
        let m = MatRef::new("X", x, n, d).unwrap();
        let g = Grid::build::<K>(m, eps, r).unwrap();
        let mut seen = vec![false; n];
        for p in 0..g.len() {
            assert!(!seen[g.index(p)]);
            seen[g.index(p)] = true;
            assert_eq!(g.row(p), m.row(g.index(p)));
            assert!(g.cell(g.cell_of(p)).contains(&p));
        }
        for p in 0..g.len() {
            let q: Vec<f64> = g.row(p).to_vec();
            let want: Vec<usize> = (0..n).filter(|&j| K::rdist(&q, m.row(j)) <= r).collect();
            let mut c = Collect(Vec::new());
            g.visit_within::<K, _>(&q, g.cell_of(p), r, &mut c);
            let mut got: Vec<usize> = c.0.iter().map(|&p| g.index(p)).collect();
            got.sort_unstable();
            assert_eq!(got, want, "query {p}");
        }
    }

    #[test]
    fn radius_queries_match_a_scan_on_ties() {
        let mut rng = Rng::new(9);
        for d in 1..=3 {
            let n = 400;
            let x: Vec<f64> = (0..n * d).map(|_| rng.below(12) as f64 * 0.5 - 2.0).collect();
            for eps in [0.5, 1.0, 1.5, 2.5] {
                check::<SqEuclidean>(&x, n, d, eps, eps * eps);
                check::<Manhattan>(&x, n, d, eps, eps);
            }
        }
    }

    #[test]
    fn too_many_features_or_too_wide() {
        let x = vec![0.0; 8];
        assert!(Grid::build::<SqEuclidean>(MatRef::new("X", &x, 2, 4).unwrap(), 1.0, 1.0).is_none());
        let x = vec![0.0, 1e300];
        assert!(Grid::build::<SqEuclidean>(MatRef::new("X", &x, 2, 1).unwrap(), 1e-3, 1e-6).is_none());
    }
}
