//! Curvature of a smooth objective over `N` log-parameters, shared by the BG/NBD and
//! Gamma-Gamma fits: a finite-difference Hessian of the analytic gradient, used to finish the
//! optimisation with Newton steps, to tell a real optimum from a flat ridge or a boundary the
//! optimiser drifted towards, and to report standard errors.
//!
//! `objective(θ)` returns the value and the analytic gradient at `θ` (`θ.len() == N`).

const STEP: f64 = 1e-4;
const MAX_NEWTON_STEPS: usize = 20;

type Mat<const N: usize> = [[f64; N]; N];

/// Euclidean norm of a gradient.
pub(crate) fn norm<const N: usize>(g: &[f64; N]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Symmetrised central-difference Hessian of the objective at `theta` (`2N` gradient calls).
fn hessian<const N: usize>(
    objective: &impl Fn(&[f64]) -> (f64, [f64; N]),
    theta: &[f64],
) -> Mat<N> {
    let mut h = [[0.0; N]; N];
    for j in 0..N {
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[j] += STEP;
        down[j] -= STEP;
        let (g_up, g_down) = (objective(&up).1, objective(&down).1);
        for (i, row) in h.iter_mut().enumerate() {
            row[j] = (g_up[i] - g_down[i]) / (2.0 * STEP);
        }
    }
    std::array::from_fn(|i| std::array::from_fn(|j| 0.5 * (h[i][j] + h[j][i])))
}

/// Newton steps `θ ← θ - H⁻¹ g` while the gradient norm is above `tol` and keeps shrinking.
/// Unlike a line search on the objective value, this is not limited by the rounding noise of
/// the value near the optimum. Returns the final point and the number of gradient calls.
pub(crate) fn newton_polish<const N: usize>(
    objective: impl Fn(&[f64]) -> (f64, [f64; N]),
    mut theta: Vec<f64>,
    tol: f64,
) -> (Vec<f64>, u64) {
    let (mut grad, mut calls) = (objective(&theta).1, 1);
    for _ in 0..MAX_NEWTON_STEPS {
        if norm(&grad) <= tol {
            break;
        }
        calls += 2 * N as u64 + 1;
        let Some(l) = cholesky(&hessian(&objective, &theta)) else {
            break;
        };
        let step = solve(&l, &grad);
        let next: Vec<f64> = theta.iter().zip(step).map(|(t, s)| t - s).collect();
        let (value, next_grad) = objective(&next);
        if !(value.is_finite() && norm(&next_grad) < norm(&grad)) {
            break;
        }
        (theta, grad) = (next, next_grad);
    }
    (theta, calls)
}

/// Standard errors of the log-parameters, from the inverse Hessian of the mean objective
/// divided by the number of members `n`. `None` when the Hessian is not positive definite (a
/// saddle, a ridge or a boundary, not a maximum of the likelihood).
pub(crate) fn log_param_std_errors<const N: usize>(
    objective: impl Fn(&[f64]) -> (f64, [f64; N]),
    theta: &[f64],
    n: f64,
) -> Option<[f64; N]> {
    let l = cholesky(&hessian(&objective, theta))?;
    let se = inverse_diagonal(&l).map(|v| (v / n).sqrt());
    se.iter().all(|v| v.is_finite()).then_some(se)
}

/// Solves `L Lᵀ x = b` by forward then backward substitution.
fn solve<const N: usize>(l: &Mat<N>, b: &[f64; N]) -> [f64; N] {
    let mut y = [0.0; N];
    for i in 0..N {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i][i];
    }
    let mut x = [0.0; N];
    for i in (0..N).rev() {
        let s: f64 = (i + 1..N).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    x
}

/// Lower-triangular `L` with `L Lᵀ = m`, or `None` if `m` is not (numerically) positive definite.
fn cholesky<const N: usize>(m: &Mat<N>) -> Option<Mat<N>> {
    let mut l = [[0.0; N]; N];
    let scale = (0..N).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    for i in 0..N {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let pivot = m[i][i] - s;
                if pivot.is_nan() || pivot <= 1e-14 * scale {
                    return None;
                }
                l[i][i] = pivot.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// Diagonal of `(L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹`, i.e. the column sums of squares of `L⁻¹`.
fn inverse_diagonal<const N: usize>(l: &Mat<N>) -> [f64; N] {
    std::array::from_fn(|col| {
        let mut column = [0.0; N];
        for i in col..N {
            let rhs = if i == col { 1.0 } else { 0.0 };
            let s: f64 = (col..i).map(|k| l[i][k] * column[k]).sum();
            column[i] = (rhs - s) / l[i][i];
        }
        column.iter().map(|v| v * v).sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solve_and_inverse_diagonal_match_hand_results_in_four_dimensions() {
        let m = [
            [4.0, 2.0, 0.0, 0.0],
            [2.0, 3.0, 0.0, 0.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 0.0, 0.0, 0.5],
        ];
        let diag = inverse_diagonal(&cholesky(&m).expect("positive definite"));
        let want = [3.0 / 8.0, 4.0 / 8.0, 0.5, 2.0];
        for k in 0..4 {
            assert!((diag[k] - want[k]).abs() < 1e-12, "{diag:?}");
        }
        let x = solve(
            &cholesky(&m).expect("positive definite"),
            &[2.0, 1.0, 4.0, 1.0],
        );
        let want = [0.5, 0.0, 2.0, 2.0];
        for k in 0..4 {
            assert!((x[k] - want[k]).abs() < 1e-12, "{x:?}");
        }
        let singular = [
            [1.0, 1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        assert!(cholesky(&singular).is_none());
    }

    #[test]
    fn cholesky_solve_and_inverse_diagonal_match_hand_results_in_three_dimensions() {
        let m = [[4.0, 2.0, 0.0], [2.0, 3.0, 0.0], [0.0, 0.0, 0.5]];
        let l = cholesky(&m).expect("positive definite");
        let diag = inverse_diagonal(&l);
        let want = [3.0 / 8.0, 4.0 / 8.0, 2.0];
        let x = solve(&l, &[2.0, 1.0, 1.0]);
        let x_want = [0.5, 0.0, 2.0];
        for k in 0..3 {
            assert!((diag[k] - want[k]).abs() < 1e-12, "{diag:?}");
            assert!((x[k] - x_want[k]).abs() < 1e-12, "{x:?}");
        }
        assert!(cholesky(&[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).is_none());
    }
}
