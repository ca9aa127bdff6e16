//! Maximum-likelihood fit of the Gamma-Gamma model on repeat customers: L-BFGS (argmin, with a
//! More-Thuente line search) on `ln(p, q, v)` with the analytic gradient, finished by Newton
//! steps on a finite-difference Hessian; if that misses the gradient tolerance, a Nelder-Mead
//! restart and a second L-BFGS + Newton pass. A fit that still misses it, or whose optimum is
//! not identified, is an error, never a silent result.

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use features::value::GammaGamma;

use super::likelihood::Sufficient;
use super::params::{GammaGammaParams, GammaGammaValidParams};
use crate::bgnbd::FitSolver;
use crate::curvature::{log_param_std_errors, newton_polish, norm};
use crate::error::{Error, Result};

const MODEL: &str = "Gamma-Gamma";
/// Start `ln(p, q, v)` with spend in units of its mean: `p = 1, q = 2, v = 1`, whose
/// population mean `p·v/(q − 1)` is the observed mean spend.
const THETA0: [f64; 3] = [0.0, std::f64::consts::LN_2, 0.0];
/// Largest standard error of a log-parameter accepted as identified (a factor e^3 at one
/// sigma is a ridge, not a point).
const MAX_LOG_STD_ERROR: f64 = 3.0;
/// L-BFGS stops once an iteration improves the mean objective by less than this.
const COST_TOLERANCE: f64 = 1e-12;

/// How the Gamma-Gamma fit went.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GammaGammaReport {
    /// The optimiser path that converged (`Lbfgs` or `NelderMeadThenLbfgs`).
    #[serde(serialize_with = "solver_name")]
    pub solver: FitSolver,
    /// Objective (value and gradient) evaluations over all optimiser runs.
    pub evaluations: u64,
    /// Mean negative log-likelihood plus penalty at the optimum, spend in money units (the
    /// number lifetimes reports as `_negative_log_likelihood_`).
    pub objective: f64,
    /// Euclidean norm of the gradient with respect to `ln(p, q, v)`.
    pub grad_norm: f64,
    /// Standard errors of `ln(p, q, v)` from the inverse Hessian.
    pub log_param_std_errors: [f64; 3],
    /// Repeat customers fitted on.
    pub n_members: usize,
}

fn solver_name<S: serde::Serializer>(
    solver: &FitSolver,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(match solver {
        FitSolver::Lbfgs => "lbfgs",
        _ => "nelder_mead_then_lbfgs",
    })
}

/// A fitted Gamma-Gamma model: the parameters (spend in money units) and how the fit went.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FittedGammaGamma {
    /// The parameters, as serving predicts with them.
    pub params: GammaGamma,
    /// How the fit converged.
    pub report: GammaGammaReport,
}

struct Problem<'a> {
    data: &'a Sufficient,
    penalizer: f64,
    best: RefCell<Option<(f64, Vec<f64>)>>,
    evaluations: Cell<u64>,
}

impl Problem<'_> {
    fn eval(&self, theta: &[f64]) -> (f64, [f64; 3]) {
        let (value, grad) = self.data.objective(theta, self.penalizer);
        self.evaluations.set(self.evaluations.get() + 1);
        let mut best = self.best.borrow_mut();
        if value.is_finite() && best.as_ref().is_none_or(|(v, _)| value < *v) {
            *best = Some((value, theta.to_vec()));
        }
        (value, grad)
    }

    fn best_theta(&self, start: &[f64]) -> Vec<f64> {
        self.best
            .borrow()
            .as_ref()
            .map_or_else(|| start.to_vec(), |(_, t)| t.clone())
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

/// Runs L-BFGS from `start`; an error inside argmin (a line search that cannot progress) is
/// not fatal because the best point evaluated is kept by the problem.
fn run_lbfgs(problem: &Problem<'_>, start: Vec<f64>, max_iter: u64, tol: f64) {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(tol)
        .and_then(|s| s.with_tolerance_cost(COST_TOLERANCE))
        .expect("tolerances are checked to be >= 0");
    if let Err(e) = Executor::new(problem, solver)
        .configure(|s| s.param(start).max_iters(max_iter))
        .run()
    {
        tracing::debug!(error = %e, "Gamma-Gamma L-BFGS stopped early");
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
        tracing::debug!(error = %e, "Gamma-Gamma Nelder-Mead stopped early");
    }
}

impl GammaGammaValidParams {
    /// Fits `p, q, v` by maximum likelihood on the members with `frequency >= 1` (repeat
    /// purchases) and their mean repeat spend `monetary_value` (money units, `> 0`); members
    /// with `frequency = 0` are ignored, as lifetimes' users filter them out. Fails on invalid
    /// input, with [`Error::NotConverged`] when neither L-BFGS nor the Nelder-Mead fallback
    /// reaches the tolerance, and with [`Error::Degenerate`] on an unidentified optimum.
    #[tracing::instrument(skip_all, fields(model = MODEL, n_members = frequency.len()))]
    pub fn fit(&self, frequency: &[u32], monetary_value: &[f64]) -> Result<FittedGammaGamma> {
        self.fit_from(frequency, monetary_value, THETA0)
    }

    /// [`fit`](Self::fit) from `start = ln(p, q, v / mean spend)`.
    pub(crate) fn fit_from(
        &self,
        frequency: &[u32],
        monetary_value: &[f64],
        start: [f64; 3],
    ) -> Result<FittedGammaGamma> {
        let suff = Sufficient::new(frequency, monetary_value)?;
        let problem = Problem {
            data: &suff,
            penalizer: self.penalizer(),
            best: RefCell::new(None),
            evaluations: Cell::new(0),
        };
        let (max_iter, tol, penalizer) = (self.max_iter(), self.tol(), self.penalizer());
        let polish = |theta: Vec<f64>| {
            let (theta, calls) =
                newton_polish(|t: &[f64]| suff.objective(t, penalizer), theta, tol);
            problem.evaluations.set(problem.evaluations.get() + calls);
            theta
        };
        run_lbfgs(&problem, start.to_vec(), max_iter, tol);
        let mut theta = polish(problem.best_theta(&start));
        let mut solver = FitSolver::Lbfgs;
        if norm(&suff.objective(&theta, penalizer).1) > tol {
            tracing::warn!("Gamma-Gamma L-BFGS did not converge; falling back to Nelder-Mead");
            solver = FitSolver::NelderMeadThenLbfgs;
            run_nelder_mead(&problem, &theta, max_iter);
            run_lbfgs(&problem, problem.best_theta(&start), max_iter, tol);
            theta = polish(problem.best_theta(&start));
        }
        let evaluations = problem.evaluations.get();
        let (objective, grad) = suff.objective(&theta, penalizer);
        let (objective, grad_norm) = (objective + suff.scale.ln(), norm(&grad));
        if !(grad_norm <= tol && objective.is_finite()) {
            return Err(Error::NotConverged {
                model: MODEL,
                evaluations,
                objective,
                grad_norm,
            });
        }
        let log_param_std_errors = match log_param_std_errors(
            |t: &[f64]| suff.objective(t, penalizer),
            &theta,
            suff.n_members() as f64,
        ) {
            Some(se) if se.iter().all(|v| *v <= MAX_LOG_STD_ERROR) => se,
            other => {
                let reason = format!(
                    "ln(p, q, v) = {theta:?} is not identified (standard errors {other:?})"
                );
                return Err(Error::Degenerate {
                    model: MODEL,
                    reason,
                });
            }
        };
        let params = GammaGamma {
            p: theta[0].exp(),
            q: theta[1].exp(),
            v: theta[2].exp() * suff.scale,
        };
        let report = GammaGammaReport {
            solver,
            evaluations,
            objective,
            grad_norm,
            log_param_std_errors,
            n_members: suff.n_members(),
        };
        tracing::debug!(?params, ?report, "Gamma-Gamma fitted");
        Ok(FittedGammaGamma { params, report })
    }
}

impl GammaGammaParams {
    /// Checks the hyperparameters, then fits (see [`GammaGammaValidParams::fit`]).
    pub fn fit(&self, frequency: &[u32], monetary_value: &[f64]) -> Result<FittedGammaGamma> {
        self.clone().check()?.fit(frequency, monetary_value)
    }
}
