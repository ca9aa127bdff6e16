//! Maximum-likelihood fit of the BG/NBD model: L-BFGS on log-parameters with an analytic
//! gradient, finished by Newton steps on a finite-difference Hessian; if that misses the
//! gradient tolerance, a Nelder-Mead restart and a second L-BFGS + Newton pass. A fit that
//! still misses it, or whose optimum is not identified, is an error, never a silent result.

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;

use super::likelihood::Sufficient;
use super::params::{BgNbdParams, BgNbdValidParams, Rfm};
use super::predict::FittedBgNbd;
use crate::curvature::{log_param_std_errors, newton_polish, norm};
use crate::error::{Error, Result};

const MODEL: &str = "BG/NBD";
/// Starting point `θ = ln(r, α, a, b)`, the same as lifetimes (times scaled to max age 1).
const THETA0: [f64; 4] = [0.1; 4];
/// Largest standard error of a log-parameter accepted as identified: beyond a factor e^3 at
/// one sigma the optimum is a ridge (e.g. `a, b -> ∞` with `a / b` fixed), not a point.
const MAX_LOG_STD_ERROR: f64 = 3.0;
/// L-BFGS stops once an iteration improves the mean objective by less than this; the Newton
/// steps that follow do not depend on resolving such small changes in value.
const COST_TOLERANCE: f64 = 1e-12;

/// Which optimiser path produced the accepted parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FitSolver {
    /// The first L-BFGS run (finished by Newton steps) converged.
    Lbfgs,
    /// L-BFGS did not converge; Nelder-Mead restarted from its best point and a second
    /// L-BFGS run (finished by Newton steps) reached the tolerance.
    NelderMeadThenLbfgs,
}

/// How the fit went: kept next to the parameters so training can log and record it.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// The optimiser path that converged.
    pub solver: FitSolver,
    /// Objective (value and gradient) evaluations over all optimiser runs.
    pub evaluations: u64,
    /// Mean negative log-likelihood plus penalty at the optimum (in the fitted time scale).
    pub objective: f64,
    /// Euclidean norm of the objective's gradient with respect to the log-parameters.
    pub grad_norm: f64,
    /// Standard errors of `ln(r, α, a, b)` from the inverse Hessian (α's is unit-free).
    pub log_param_std_errors: [f64; 4],
    /// Number of members fitted on.
    pub n_members: usize,
    /// Number of distinct `(x, t_x, T)` triples the likelihood was evaluated on.
    pub n_groups: usize,
}

struct Problem<'a> {
    data: &'a Sufficient,
    penalizer: f64,
    start: [f64; 4],
    best: RefCell<Option<(f64, Vec<f64>)>>,
    evaluations: Cell<u64>,
}

impl Problem<'_> {
    fn eval(&self, theta: &[f64]) -> (f64, [f64; 4]) {
        let (value, grad) = self.data.objective(theta, self.penalizer);
        self.evaluations.set(self.evaluations.get() + 1);
        let mut best = self.best.borrow_mut();
        if value.is_finite() && best.as_ref().is_none_or(|(v, _)| value < *v) {
            *best = Some((value, theta.to_vec()));
        }
        (value, grad)
    }

    fn best_theta(&self) -> Vec<f64> {
        self.best
            .borrow()
            .as_ref()
            .map_or_else(|| self.start.to_vec(), |(_, t)| t.clone())
    }
}

impl CostFunction for &Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.eval(theta).0)
    }
}

impl Gradient for &Problem<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, theta: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.eval(theta).1.to_vec())
    }
}

/// Runs L-BFGS from `start`; a failure inside argmin (e.g. a line search that cannot make
/// progress) is not fatal because the best point evaluated is tracked by the problem.
fn run_lbfgs(problem: &Problem<'_>, start: Vec<f64>, max_iter: u64, tol: f64) {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(tol)
        .and_then(|s| s.with_tolerance_cost(COST_TOLERANCE))
        .expect("tolerances are checked to be >= 0");
    if let Err(e) = Executor::new(problem, solver)
        .configure(|s| s.param(start).max_iters(max_iter))
        .run()
    {
        tracing::debug!(error = %e, "L-BFGS stopped early");
    }
}

fn run_nelder_mead(problem: &Problem<'_>, start: &[f64], max_iter: u64) {
    let mut simplex = vec![start.to_vec()];
    for k in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[k] += 0.5;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-14)
        .expect("positive tolerance");
    if let Err(e) = Executor::new(problem, solver)
        .configure(|s| s.max_iters(max_iter))
        .run()
    {
        tracing::debug!(error = %e, "Nelder-Mead stopped early");
    }
}

impl BgNbdValidParams {
    /// Fits `r, α, a, b` by maximum likelihood (Fader, Hardie & Lee 2005, eq. 6) on the
    /// grouped records. Fails on empty or invalid input, and with [`Error::NotConverged`]
    /// when neither L-BFGS nor the Nelder-Mead fallback reaches the gradient tolerance
    /// (a larger `penalizer` usually helps, as with lifetimes).
    #[tracing::instrument(skip_all, fields(model = MODEL, n_members = data.len()))]
    pub fn fit(&self, data: &[Rfm]) -> Result<FittedBgNbd> {
        self.fit_from(data, THETA0)
    }

    /// [`fit`](Self::fit) starting from `start = ln(r, α, a, b)` in the scaled time unit.
    pub(crate) fn fit_from(&self, data: &[Rfm], start: [f64; 4]) -> Result<FittedBgNbd> {
        let suff = Sufficient::new(data)?;
        let problem = Problem {
            data: &suff,
            penalizer: self.penalizer(),
            start,
            best: RefCell::new(None),
            evaluations: Cell::new(0),
        };
        let (max_iter, tol) = (self.max_iter(), self.tol());
        let polish = |theta: Vec<f64>| {
            let (theta, calls) =
                newton_polish(|t: &[f64]| suff.objective(t, problem.penalizer), theta, tol);
            problem.evaluations.set(problem.evaluations.get() + calls);
            theta
        };

        run_lbfgs(&problem, start.to_vec(), max_iter, tol);
        let mut theta = polish(problem.best_theta());
        let mut solver = FitSolver::Lbfgs;
        if norm(&suff.objective(&theta, problem.penalizer).1) > tol {
            let evaluations = problem.evaluations.get();
            tracing::warn!(
                evaluations,
                "BG/NBD L-BFGS did not converge; falling back to Nelder-Mead"
            );
            solver = FitSolver::NelderMeadThenLbfgs;
            run_nelder_mead(&problem, &theta, max_iter);
            run_lbfgs(&problem, problem.best_theta(), max_iter, tol);
            theta = polish(problem.best_theta());
        }
        let evaluations = problem.evaluations.get();
        let (objective, grad) = suff.objective(&theta, problem.penalizer);
        let grad_norm = norm(&grad);
        if !(grad_norm <= tol && objective.is_finite()) {
            return Err(Error::NotConverged {
                model: MODEL,
                evaluations,
                objective,
                grad_norm,
            });
        }
        let std_errors = log_param_std_errors(
            |t: &[f64]| suff.objective(t, problem.penalizer),
            &theta,
            data.len() as f64,
        );
        let log_param_std_errors = match std_errors {
            Some(se) if se.iter().all(|v| *v <= MAX_LOG_STD_ERROR) => se,
            other if !self.identified_only() => {
                tracing::warn!(?theta, std_errors = ?other, "BG/NBD optimum is not identified; kept for prediction");
                other.unwrap_or([f64::NAN; 4])
            }
            other => {
                let reason = format!(
                    "log-parameters {theta:?} are not identified (standard errors {other:?}); \
                     try a positive penalizer"
                );
                return Err(Error::Degenerate {
                    model: MODEL,
                    reason,
                });
            }
        };
        let n_members = data.len();
        let n_groups = suff.n_groups();
        let report = FitReport {
            solver,
            evaluations,
            objective,
            grad_norm,
            log_param_std_errors,
            n_members,
            n_groups,
        };
        tracing::debug!(?report, "BG/NBD fitted");
        let [r, alpha, a, b] = [
            theta[0].exp(),
            theta[1].exp() / suff.scale,
            theta[2].exp(),
            theta[3].exp(),
        ];
        Ok(FittedBgNbd {
            r,
            alpha,
            a,
            b,
            report: Some(report),
        })
    }
}

impl BgNbdParams {
    /// Checks the hyperparameters, then fits (see [`BgNbdValidParams::fit`]).
    pub fn fit(&self, data: &[Rfm]) -> Result<FittedBgNbd> {
        self.clone().check()?.fit(data)
    }
}
