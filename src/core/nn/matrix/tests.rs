//! The kernels against a naive product, the threaded split against one thread, and every
//! back-end this machine runs against the portable one.

use super::super::rng::Rng;
use super::*;

fn naive(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
        }
    }
    c
}

fn random(len: usize, zero_fraction: f32, rng: &mut Rng) -> Vec<f32> {
    (0..len)
        .map(|_| {
            if rng.next_f32() < zero_fraction {
                0.0
            } else {
                rng.uniform(1.0)
            }
        })
        .collect()
}

#[test]
fn gemm_matches_naive_product_for_awkward_shapes() {
    let mut rng = Rng::new(11);
    for &(m, k, n) in &[
        (1, 1, 1),
        (3, 5, 7),
        (32, 784, 100),
        (5, 100, 10),
        (7, 33, 130),
        (2, 9, 64),
        (4, 20, 104),
        (3, 17, 8),
        (6, 40, 97),
        (2, 30, 105),
    ] {
        let a = random(m * k, 0.5, &mut rng);
        let b = random(k * n, 0.0, &mut rng);
        let want = naive(m, k, n, &a, &b);
        let mut c = vec![f32::NAN; m * n];
        gemm(m, k, n, 1.0, &a, &b, &mut c, false);
        for (x, y) in c.iter().zip(&want) {
            assert!(
                (x - y).abs() < 1e-4 * (1.0 + y.abs()),
                "{m}x{k}x{n}: {x} vs {y}"
            );
        }
        // Accumulate with a scale: c + 2·AB = 3·AB.
        gemm(m, k, n, 2.0, &a, &b, &mut c, true);
        for (x, y) in c.iter().zip(&want) {
            assert!(
                (x - 3.0 * y).abs() < 1e-3 * (1.0 + y.abs()),
                "acc {x} vs {y}"
            );
        }
    }
}

#[test]
fn zero_rows_give_zero_or_leave_output() {
    let a = vec![0.0f32; 2 * 3];
    let b = vec![1.0f32; 3 * 4];
    let mut c = vec![5.0f32; 8];
    gemm(2, 3, 4, 1.0, &a, &b, &mut c, true);
    assert!(c.iter().all(|&v| v == 5.0));
    gemm(2, 3, 4, 1.0, &a, &b, &mut c, false);
    assert!(c.iter().all(|&v| v == 0.0));
}

#[test]
fn parallel_and_serial_agree_bit_for_bit() {
    let mut rng = Rng::new(5);
    let (m, k, n) = (64, 784, 100);
    let a = random(m * k, 0.8, &mut rng);
    let b = random(k * n, 0.0, &mut rng);
    let mut c1 = vec![0.0; m * n];
    let mut c2 = vec![0.0; m * n];
    gemm(m, k, n, 1.0, &a, &b, &mut c1, false);
    gemm_serial(Backend::detected(), m, k, n, 1.0, &a, &b, &mut c2, false);
    assert_eq!(c1, c2);
}

#[test]
fn sparse_product_split_over_threads_matches_serial_bit_for_bit() {
    let mut rng = Rng::new(6);
    let (m, k, n) = (300, 784, 100);
    let a = Csr::from_dense(&random(m * k, 0.8, &mut rng), m, k);
    assert!(
        a.nonzeros() * n >= CSR_PARALLEL_MIN_WORK,
        "large enough to split"
    );
    let b = random(k * n, 0.0, &mut rng);
    let mut split = vec![0.5; m * n];
    let mut serial = split.clone();
    set_parallel(true);
    gemm_csr(&a, &b, n, -0.1, &mut split, true);
    csr_rows(
        Backend::detected(),
        &a,
        0,
        m,
        &b,
        n,
        -0.1,
        &mut serial,
        true,
    );
    assert_eq!(split, serial);
}

#[test]
fn csr_products_and_transpose_match_dense() {
    let mut rng = Rng::new(8);
    let (m, k, n) = (13, 50, 37);
    let a = random(m * k, 0.7, &mut rng);
    let b = random(k * n, 0.0, &mut rng);
    let csr = Csr::from_dense(&a, m, k);
    assert_eq!(csr.rows(), m);
    assert_eq!(csr.nonzeros(), a.iter().filter(|&&v| v != 0.0).count());
    let want = naive(m, k, n, &a, &b);
    let mut c = vec![0.0; m * n];
    gemm_csr(&csr, &b, n, 1.0, &mut c, false);
    for (x, y) in c.iter().zip(&want) {
        assert!((x - y).abs() < 1e-4);
    }
    let mut t = Csr::default();
    csr.transpose_into(&mut t);
    let mut at = vec![0.0; m * k];
    transpose(&a, m, k, &mut at);
    assert_eq!(t, Csr::from_dense(&at, k, m));
}

#[test]
fn transpose_and_column_sums() {
    let src: Vec<f32> = (0..30).map(|v| v as f32).collect();
    let mut dst = vec![0.0; 30];
    transpose(&src, 3, 10, &mut dst);
    assert_eq!(dst[0..3], [0.0, 10.0, 20.0]);
    assert_eq!(dst[27..30], [9.0, 19.0, 29.0]);
    let mut sums = vec![1.0; 10];
    add_column_sums(&src, 3, 10, 0.5, &mut sums);
    assert_eq!(sums[0], 1.0 + 0.5 * 30.0);
    assert_eq!(sums[9], 1.0 + 0.5 * 57.0);
}

/// Column counts at and around every block boundary of every back-end: AVX2 does up to 104
/// columns (13 vectors) in one pass, wider rows in 64-, 32- and 8-column blocks and a masked
/// tail; simd128 in 32-, 16- and 4-column blocks; portable in 16-column blocks and a scalar tail.
const EDGE_COLUMNS: [usize; 30] = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 96, 100, 103, 104, 105, 111,
    112, 127, 128, 129, 136, 200,
];

/// Inner sizes around the 8-entry groups in which the non-zeros of an A row are listed.
const EDGE_INNER: [usize; 10] = [1, 2, 7, 8, 9, 16, 63, 64, 65, 100];

/// One product's inputs: A `m×k` with rows of varied sparsity (some all zero), B `k×n`, and the
/// C that an accumulating product adds to.
struct Case {
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Vec<f32>,
    b: Vec<f32>,
    c0: Vec<f32>,
}

impl Case {
    fn random(n: usize, rng: &mut Rng) -> Case {
        let m = 1 + rng.below(9);
        let k = if rng.below(2) == 0 {
            EDGE_INNER[rng.below(EDGE_INNER.len())]
        } else {
            1 + rng.below(120)
        };
        let alphas = [1.0, -1.0, 0.5, -0.1, 3.0, 1e-3];
        let alpha = alphas[rng.below(alphas.len())];
        let mut a = Vec::with_capacity(m * k);
        for _ in 0..m {
            // Dense, half zero, mostly zero (like MNIST pixels) or all zero.
            let zero_fraction = [0.0, 0.5, 0.9, 1.0][rng.below(4)];
            a.extend(random(k, zero_fraction, rng));
        }
        Case {
            m,
            k,
            n,
            alpha,
            a,
            b: random(k * n, 0.1, rng),
            c0: random(m * n, 0.0, rng),
        }
    }

    /// The CSR form of A, its non-zeros listed by `backend`.
    fn csr(&self, backend: Backend) -> Csr {
        let mut csr = Csr::default();
        csr.reset(self.k);
        for row in self.a.chunks_exact(self.k) {
            csr.push_dense_row_on(backend, row);
        }
        csr
    }

    /// C after `gemm` (or `gemm_csr` when `sparse`) on `backend`. An overwriting product starts
    /// from NaN, so an element it forgets to write shows.
    fn product(&self, backend: Backend, accumulate: bool, sparse: bool) -> Vec<f32> {
        let mut c = if accumulate {
            self.c0.clone()
        } else {
            vec![f32::NAN; self.m * self.n]
        };
        let (m, k, n, alpha) = (self.m, self.k, self.n, self.alpha);
        if sparse {
            gemm_csr_on(
                backend,
                &self.csr(backend),
                &self.b,
                n,
                alpha,
                &mut c,
                accumulate,
            );
        } else {
            gemm_on(
                backend, m, k, n, alpha, &self.a, &self.b, &mut c, accumulate,
            );
        }
        c
    }

    /// How far a back-end may be from the portable result at element (i, j). Both sum the
    /// terms of a row in the same order, but AVX2 uses fused multiply-adds (one rounding per
    /// term instead of two, and one for `c + alpha·s`), so the results differ by rounding
    /// only. Each side is within γ(t + 2)·(|alpha|·Σ|a·b| + |c|) of the exact value (t terms,
    /// γ(t) ≈ t·ε/2), so the two are within (t + 2)·ε of that magnitude; t + 3 leaves room for
    /// the second-order terms. A wrong index, a lost term or a wrong column is far larger.
    fn tolerance(&self, i: usize, j: usize, accumulate: bool) -> f64 {
        let (k, n) = (self.k, self.n);
        let row = &self.a[i * k..(i + 1) * k];
        let terms = row.iter().filter(|&&v| v != 0.0).count();
        let magnitude: f64 = row
            .iter()
            .enumerate()
            .map(|(p, &v)| (v as f64 * self.b[p * n + j] as f64).abs())
            .sum::<f64>()
            * (self.alpha as f64).abs()
            + if accumulate {
                (self.c0[i * n + j] as f64).abs()
            } else {
                0.0
            };
        (terms + 3) as f64 * f32::EPSILON as f64 * magnitude
    }
}

/// Whether `backend` adds the same products in the same order, with the same roundings, as the
/// portable kernels (then its results must be identical, bit for bit).
fn same_rounding_as_portable(backend: Backend) -> bool {
    match backend {
        Backend::Portable => true,
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2Fma => false,
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => true,
    }
}

#[test]
fn available_backends_are_portable_and_the_detected_one() {
    let all = Backend::available();
    assert_eq!(all[0], Backend::Portable);
    assert!(all.contains(&Backend::detected()));
    assert_eq!(backend_name(), Backend::detected().name());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        assert_eq!(all, [Backend::Portable, Backend::Avx2Fma]);
    }
}

#[test]
fn every_backend_lists_the_same_nonzeros_as_portable() {
    let mut rng = Rng::new(21);
    let specials = [
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        -f32::MIN_POSITIVE,
        1e-45,
        f32::MAX,
    ];
    for &k in EDGE_INNER.iter().chain(&EDGE_COLUMNS) {
        for zero_fraction in [0.0, 0.5, 0.9, 1.0] {
            let mut row = random(k, zero_fraction, &mut rng);
            for v in row.iter_mut() {
                if rng.below(5) == 0 {
                    *v = specials[rng.below(specials.len())];
                }
            }
            let list = |backend| {
                let (mut idx, mut val) = (vec![u32::MAX; k], vec![0.0f32; k]);
                let count = list_nonzeros(backend, &row, &mut idx, &mut val);
                let bits: Vec<u32> = val[..count].iter().map(|v| v.to_bits()).collect();
                (idx[..count].to_vec(), bits)
            };
            let want = list(Backend::Portable);
            // -0.0 is zero; NaN is not.
            let expected = row.iter().filter(|&&v| v != 0.0 || v.is_nan()).count();
            assert_eq!(want.0.len(), expected, "portable, k = {k}");
            for backend in Backend::available() {
                assert_eq!(list(backend), want, "{} k = {k}", backend.name());
            }
        }
    }
}

#[test]
fn every_backend_computes_the_products_of_the_portable_one() {
    let mut rng = Rng::new(2024);
    let mut cases: Vec<Case> = EDGE_COLUMNS
        .iter()
        .flat_map(|&n| [n, n, n])
        .map(|n| Case::random(n, &mut rng))
        .collect();
    // Large enough for both products to split their rows over threads (with `parallel`).
    let mut big = Case::random(100, &mut rng);
    (big.m, big.k) = (300, 784);
    big.a = random(big.m * big.k, 0.8, &mut rng);
    big.b = random(big.k * big.n, 0.0, &mut rng);
    big.c0 = random(big.m * big.n, 0.0, &mut rng);
    assert!(big.m * big.k * big.n >= PARALLEL_MIN_WORK);
    assert!(big.csr(Backend::Portable).nonzeros() * big.n >= CSR_PARALLEL_MIN_WORK);
    cases.push(big);

    let backends = Backend::available();
    let mut compared = [0usize; 2];
    for case in &cases {
        let (m, k, n, alpha) = (case.m, case.k, case.n, case.alpha);
        for accumulate in [false, true] {
            let want = case.product(Backend::Portable, accumulate, false);
            for &backend in &backends {
                let name = backend.name();
                let what = format!("{name} {m}×{k}×{n} alpha {alpha} accumulate {accumulate}");
                let dense = case.product(backend, accumulate, false);
                let sparse = case.product(backend, accumulate, true);
                // The same back-end adds the same non-zeros in the same order either way.
                let bits = |c: &[f32]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&dense), bits(&sparse), "gemm vs gemm_csr, {what}");
                if same_rounding_as_portable(backend) {
                    assert_eq!(bits(&dense), bits(&want), "{what}");
                    compared[0] += 1;
                    continue;
                }
                for i in 0..m {
                    for j in 0..n {
                        let (x, y) = (dense[i * n + j], want[i * n + j]);
                        let tolerance = case.tolerance(i, j, accumulate);
                        assert!(
                            x.is_finite() && (x as f64 - y as f64).abs() <= tolerance,
                            "{what}: C[{i}][{j}] = {x}, portable {y}, tolerance {tolerance:e}"
                        );
                    }
                }
                compared[1] += 1;
            }
        }
    }
    // Every product ran on every back-end: the portable one (bit for bit against itself,
    // which also checks that it is deterministic), and AVX2 when this CPU has it.
    assert!(compared[0] >= 2 * cases.len());
    assert_eq!(compared[0] + compared[1], 2 * cases.len() * backends.len());
    #[cfg(target_arch = "x86_64")]
    if Backend::detected() == Backend::Avx2Fma {
        assert_eq!(compared[1], 2 * cases.len());
    }
}
