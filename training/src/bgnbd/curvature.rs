//! Curvature of the objective: a finite-difference Hessian of the analytic gradient, used to
//! finish the optimisation with Newton steps, to tell a real optimum from a flat ridge or a
//! boundary the optimiser drifted towards, and to report standard errors.

use super::likelihood::Sufficient;

const STEP: f64 = 1e-4;
const MAX_NEWTON_STEPS: usize = 20;

type Mat4 = [[f64; 4]; 4];

/// Euclidean norm of a gradient.
pub(crate) fn norm(g: &[f64; 4]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Symmetrised central-difference Hessian of the objective at `theta` (8 gradient calls).
fn hessian(data: &Sufficient, theta: &[f64], penalizer: f64) -> Mat4 {
    let mut h = [[0.0; 4]; 4];
    for j in 0..4 {
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

/// Newton steps `θ ← θ - H⁻¹ g` while the gradient norm is above `tol` and keeps shrinking.
/// Unlike a line search on the objective value, this is not limited by the rounding noise of
/// the value near the optimum. Returns the final point and the number of gradient calls.
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
        calls += 9;
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

/// Standard errors of the log-parameters `ln(r, α, a, b)`, from the inverse Hessian of the
/// mean objective divided by the number of members. `None` when the Hessian is not positive
/// definite (a saddle, a ridge or a boundary, not a maximum of the likelihood).
pub(crate) fn log_param_std_errors(
    data: &Sufficient,
    theta: &[f64],
    penalizer: f64,
    n: f64,
) -> Option<[f64; 4]> {
    let l = cholesky(&hessian(data, theta, penalizer))?;
    let se = inverse_diagonal(&l).map(|v| (v / n).sqrt());
    se.iter().all(|v| v.is_finite()).then_some(se)
}

/// Solves `L Lᵀ x = b` by forward then backward substitution.
fn solve(l: &Mat4, b: &[f64; 4]) -> [f64; 4] {
    let mut y = [0.0; 4];
    for i in 0..4 {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i][i];
    }
    let mut x = [0.0; 4];
    for i in (0..4).rev() {
        let s: f64 = (i + 1..4).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    x
}

/// Lower-triangular `L` with `L Lᵀ = m`, or `None` if `m` is not (numerically) positive definite.
fn cholesky(m: &Mat4) -> Option<Mat4> {
    let mut l = [[0.0; 4]; 4];
    let scale = (0..4).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    for i in 0..4 {
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
fn inverse_diagonal(l: &Mat4) -> [f64; 4] {
    std::array::from_fn(|col| {
        let mut column = [0.0; 4];
        for i in col..4 {
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
}
