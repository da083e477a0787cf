//! Müllner's generic algorithm (centroid, median): each cluster keeps a candidate nearest
//! neighbour among the clusters at higher positions and a lower bound of that distance in a
//! heap; the heap's minimum is checked against the true distance and refreshed until it is
//! exact, and that pair merges. Merges come out in order (no sorting), as SciPy's
//! `fast_linkage`, whose steps this follows.

use rayon::prelude::*;

use super::{condensed_index, Merge, Method, Points};
use crate::distance::sq_dist;
use crate::error::Result;
use crate::monitor::Monitor;
use crate::parallel;

/// An indexed binary min-heap over keys `0..len` with changeable values.
struct Heap {
    /// Heap order of the keys.
    keys: Vec<usize>,
    /// Where each key sits in `keys` (usize::MAX once removed).
    pos: Vec<usize>,
    vals: Vec<f64>,
}

impl Heap {
    fn new(vals: Vec<f64>) -> Self {
        let len = vals.len();
        let mut h = Self { keys: (0..len).collect(), pos: (0..len).collect(), vals };
        for i in (0..len / 2).rev() {
            h.down(i);
        }
        h
    }

    fn min(&self) -> (usize, f64) {
        let k = self.keys[0];
        (k, self.vals[k])
    }

    fn remove_min(&mut self) {
        let last = self.keys.len() - 1;
        self.swap(0, last);
        let k = self.keys.pop().expect("heap is not empty");
        self.pos[k] = usize::MAX;
        if !self.keys.is_empty() {
            self.down(0);
        }
    }

    fn change(&mut self, key: usize, v: f64) {
        let old = self.vals[key];
        self.vals[key] = v;
        let p = self.pos[key];
        if p == usize::MAX {
            return;
        }
        if v < old {
            self.up(p);
        } else {
            self.down(p);
        }
    }

    fn less(&self, a: usize, b: usize) -> bool {
        self.vals[self.keys[a]] < self.vals[self.keys[b]]
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.keys.swap(a, b);
        self.pos[self.keys[a]] = a;
        self.pos[self.keys[b]] = b;
    }

    fn up(&mut self, mut i: usize) {
        while i > 0 {
            let p = (i - 1) / 2;
            if self.less(i, p) {
                self.swap(i, p);
                i = p;
            } else {
                break;
            }
        }
    }

    fn down(&mut self, mut i: usize) {
        let len = self.keys.len();
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut m = i;
            if l < len && self.less(l, m) {
                m = l;
            }
            if r < len && self.less(r, m) {
                m = r;
            }
            if m == i {
                break;
            }
            self.swap(i, m);
            i = m;
        }
    }
}

/// Where the distances between clusters come from.
trait Dissim {
    /// Distance (or a monotone function of it) between live clusters at positions `a`, `b`.
    fn get(&self, a: usize, b: usize) -> f64;
    /// Merges `x` into `y` (sizes before the merge; `dxy` their distance); `live` lists
    /// the other live positions.
    fn merge(&mut self, x: usize, y: usize, dxy: f64, nx: f64, ny: f64, size: &[f64], live: &[usize]);
    /// Distances from `y` to every position in `zs`.
    fn many(&self, y: usize, zs: &[usize]) -> Vec<f64> {
        zs.iter().map(|&z| self.get(z, y)).collect()
    }
    /// The reported merge distance for a value of `get`.
    fn report(&self, v: f64) -> f64 {
        v
    }
}

struct Condensed<'a> {
    d: &'a mut [f64],
    n: usize,
    method: Method,
}

impl Dissim for Condensed<'_> {
    #[inline(always)]
    fn get(&self, a: usize, b: usize) -> f64 {
        self.d[condensed_index(self.n, a, b)]
    }
    fn merge(&mut self, x: usize, y: usize, dxy: f64, nx: f64, ny: f64, size: &[f64], live: &[usize]) {
        for &z in live {
            let (zx, zy) = (condensed_index(self.n, z, x), condensed_index(self.n, z, y));
            self.d[zy] = self.method.update(self.d[zx], self.d[zy], dxy, nx, ny, size[z]);
        }
    }
}

/// Work (clusters × features) below which a scan runs on one thread.
const PARALLEL_WORK: usize = 1 << 15;

/// Centroids (centroid method) or midpoints (median method) of the clusters; distances are
/// compared squared and reported as their square roots.
struct Centroids<'p> {
    c: Vec<f64>,
    d: usize,
    median: bool,
    pool: &'p rayon::ThreadPool,
}

impl Dissim for Centroids<'_> {
    #[inline(always)]
    fn get(&self, a: usize, b: usize) -> f64 {
        sq_dist(&self.c[a * self.d..(a + 1) * self.d], &self.c[b * self.d..(b + 1) * self.d])
    }
    fn merge(&mut self, x: usize, y: usize, _dxy: f64, nx: f64, ny: f64, _size: &[f64], _live: &[usize]) {
        let d = self.d;
        for j in 0..d {
            let (a, b) = (self.c[x * d + j], self.c[y * d + j]);
            self.c[y * d + j] = if self.median { 0.5 * (a + b) } else { (nx * a + ny * b) / (nx + ny) };
        }
    }
    fn many(&self, y: usize, zs: &[usize]) -> Vec<f64> {
        if zs.len() * self.d >= PARALLEL_WORK && self.pool.current_num_threads() > 1 {
            self.pool.install(|| zs.par_iter().map(|&z| self.get(z, y)).collect())
        } else {
            zs.iter().map(|&z| self.get(z, y)).collect()
        }
    }
    fn report(&self, v: f64) -> f64 {
        v.sqrt()
    }
}

/// Generic algorithm on a condensed distance vector (updated in place).
pub(crate) fn generic_condensed(d: &mut [f64], n: usize, method: Method, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    run(&mut Condensed { d, n, method }, n, mon)
}

/// Centroid or median linkage on Euclidean observations without a distance matrix.
pub(crate) fn centroid_points(pts: &Points, method: Method, n_threads: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let pool = parallel::pool(n_threads)?;
    let mut c = Centroids { c: pts.x.clone(), d: pts.d, median: method == Method::Median, pool: &pool };
    run(&mut c, pts.n, mon)
}

fn run<D: Dissim>(dis: &mut D, n: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let mut size = vec![1.0f64; n];
    let mut active: Vec<usize> = (0..n).collect();
    // Nearest live cluster at a higher position: (position, distance).
    let nearest_above = |dis: &D, active: &[usize], x: usize| -> (usize, f64) {
        let start = active.partition_point(|&i| i <= x);
        let zs = &active[start..];
        let ds = dis.many(x, zs);
        let mut best = (usize::MAX, f64::INFINITY);
        for (&z, &v) in zs.iter().zip(&ds) {
            if v < best.1 {
                best = (z, v);
            }
        }
        if best.0 == usize::MAX {
            // No finite distance: keep the first candidate so the merge still happens.
            best = (zs[0], ds[0]);
        }
        best
    };
    let mut neighbor = vec![0usize; n - 1];
    let mut min_dist = vec![0.0f64; n - 1];
    for x in 0..n - 1 {
        let (y, v) = nearest_above(dis, &active, x);
        neighbor[x] = y;
        min_dist[x] = v;
    }
    let mut heap = Heap::new(min_dist.clone());
    let mut merges = Vec::with_capacity(n - 1);
    for k in 0..n - 1 {
        let (mut x, mut y, mut dist) = (0, 0, 0.0);
        for _ in 0..n - k {
            let (hx, hv) = heap.min();
            x = hx;
            dist = hv;
            y = neighbor[x];
            if dist == dis.get(x, y) {
                break;
            }
            let (ny, nv) = nearest_above(dis, &active, x);
            y = ny;
            dist = nv;
            neighbor[x] = y;
            min_dist[x] = nv;
            heap.change(x, nv);
        }
        heap.remove_min();
        let (nx, ny) = (size[x], size[y]);
        merges.push((x, y, dis.report(dist)));
        size[x] = 0.0;
        size[y] = nx + ny;
        let pos = active.binary_search(&x).expect("x is live");
        active.remove(pos);
        let others: Vec<usize> = active.iter().copied().filter(|&z| z != y).collect();
        dis.merge(x, y, dist, nx, ny, &size, &others);
        for z in 0..x {
            if size[z] > 0.0 && neighbor[z] == x {
                neighbor[z] = y;
            }
        }
        let below = &active[..active.partition_point(|&z| z < y)];
        let ds = dis.many(y, below);
        for (&z, &v) in below.iter().zip(&ds) {
            if v < min_dist[z] {
                neighbor[z] = y;
                min_dist[z] = v;
                heap.change(z, v);
            }
        }
        if y < n - 1 {
            let (z, v) = nearest_above(dis, &active, y);
            neighbor[y] = z;
            min_dist[y] = v;
            heap.change(y, v);
        }
        if k % 256 == 255 {
            mon.check()?;
        }
    }
    Ok(merges)
}
