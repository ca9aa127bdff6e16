//! Curvature of the Gamma-Gamma objective: a finite-difference Hessian of the analytic
//! gradient, used to finish the optimisation with Newton steps, to tell an optimum from a flat
//! ridge, and to report standard errors.

use super::likelihood::Sufficient;

const STEP: f64 = 1e-4;
const MAX_NEWTON_STEPS: usize = 20;

type Mat3 = [[f64; 3]; 3];

/// Euclidean norm of a gradient.
pub(crate) fn norm(g: &[f64; 3]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Symmetrised central-difference Hessian of the objective at `theta` (6 gradient calls).
fn hessian(data: &Sufficient, theta: &[f64], penalizer: f64) -> Mat3 {
    let mut h = [[0.0; 3]; 3];
    for j in 0..3 {
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[j] += STEP;
        down[j] -= STEP;
        let (g_up, g_down) = (
            data.objective(&up, penalizer).1,
            data.objective(&down, penalizer).1,
        );
        for (i, row) in h.iter_mut().enumerate() {
            row[j] = (g_up[i] - g_down[i]) / (2.0 * STEP);
        }
    }
    std::array::from_fn(|i| std::array::from_fn(|j| 0.5 * (h[i][j] + h[j][i])))
}

/// Newton steps `θ ← θ − H⁻¹ g` while the gradient norm is above `tol` and keeps shrinking
/// (not limited by the rounding noise of the value near the optimum, unlike a line search).
/// Returns the final point and the number of gradient calls.
pub(crate) fn newton_polish(
    data: &Sufficient,
    mut theta: Vec<f64>,
    penalizer: f64,
    tol: f64,
) -> (Vec<f64>, u64) {
    let (mut grad, mut calls) = (data.objective(&theta, penalizer).1, 1);
    for _ in 0..MAX_NEWTON_STEPS {
        if norm(&grad) <= tol {
            break;
        }
        calls += 7;
        let Some(l) = cholesky(&hessian(data, &theta, penalizer)) else {
            break;
        };
        let step = solve(&l, &grad);
        let next: Vec<f64> = theta.iter().zip(step).map(|(t, s)| t - s).collect();
        let (value, next_grad) = data.objective(&next, penalizer);
        if !(value.is_finite() && norm(&next_grad) < norm(&grad)) {
            break;
        }
        (theta, grad) = (next, next_grad);
    }
    (theta, calls)
}

/// Standard errors of `ln(p, q, v)` from the inverse Hessian of the mean objective divided
/// by the number of members; `None` when the Hessian is not positive definite.
pub(crate) fn log_param_std_errors(
    data: &Sufficient,
    theta: &[f64],
    penalizer: f64,
) -> Option<[f64; 3]> {
    let l = cholesky(&hessian(data, theta, penalizer))?;
    let n = data.n_members() as f64;
    let se = inverse_diagonal(&l).map(|v| (v / n).sqrt());
    se.iter().all(|v| v.is_finite()).then_some(se)
}

/// Solves `L Lᵀ x = b` by forward then backward substitution.
fn solve(l: &Mat3, b: &[f64; 3]) -> [f64; 3] {
    let mut y = [0.0; 3];
    for i in 0..3 {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i][i];
    }
    let mut x = [0.0; 3];
    for i in (0..3).rev() {
        let s: f64 = (i + 1..3).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    x
}

/// Lower-triangular `L` with `L Lᵀ = m`, or `None` if `m` is not (numerically) positive definite.
fn cholesky(m: &Mat3) -> Option<Mat3> {
    let mut l = [[0.0; 3]; 3];
    let scale = (0..3).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    for i in 0..3 {
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

/// Diagonal of `(L Lᵀ)⁻¹`: the column sums of squares of `L⁻¹`.
fn inverse_diagonal(l: &Mat3) -> [f64; 3] {
    std::array::from_fn(|col| {
        let mut column = [0.0; 3];
        for i in col..3 {
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
    fn cholesky_solve_and_inverse_diagonal_match_hand_results() {
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
