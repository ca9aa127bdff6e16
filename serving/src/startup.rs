//! Building the application (load everything, then bind) and running it until a signal.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::campaigns::CampaignStore;
use crate::config::Settings;
use crate::engine::Engine;
use crate::http::{AppState, app};
use crate::stream::StreamStats;
use crate::{Error, Result};

/// A loaded, bound server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Loads the model, member state and event log (failing before binding if anything does
    /// not match), then binds `settings.listen` (port 0 picks a free port).
    pub async fn build(settings: Settings) -> Result<Application> {
        let models = settings.models.clone();
        let (log, fold) = (settings.event_log.clone(), settings.event_fold);
        let owned = settings.partitioning().cloned();
        let engine = tokio::task::spawn_blocking(move || Engine::start(models, &log, fold, owned))
            .await
            .map_err(|e| Error::Config(format!("loading panicked: {e}")))??;
        Application::with_engine(engine, settings).await
    }

    /// Binds `settings.listen` for an engine built already (for instance from parts, see
    /// [`Engine::from_parts`]) and, with `settings.nats`, starts consuming the owned
    /// partitions (failing when NATS or the stream cannot be reached); `settings.models` is
    /// where a reload looks.
    pub async fn with_engine(engine: Engine, settings: Settings) -> Result<Application> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", settings.listen)))?;
        let campaigns = CampaignStore::open(&settings.campaign_store, settings.caps.clone())?;
        let engine = engine.owning(settings.partitioning().cloned());
        let stream_stats = settings.nats.as_ref().map(|_| StreamStats::default());
        let state = AppState::new(
            Arc::new(engine),
            Arc::new(settings),
            Arc::new(campaigns),
            stream_stats.as_ref(),
        );
        if let (Some(nats), Some(stats)) = (&state.settings.nats, stream_stats) {
            let engine = Arc::clone(&state.engine);
            crate::stream::start(engine, nats, state.settings.max_batch, stats).await?;
        }
        Ok(Application { listener, state })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.settings.listen)
    }

    /// Serves until ctrl-c or SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, app(self.state))
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
