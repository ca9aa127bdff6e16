//! The use cases both front ends call (the JSON API in [`crate::http`] and the marketers'
//! console in [`crate::console`]): creating a campaign, counting an audience, a campaign's
//! report. Synchronous: callers on the async runtime run them with `spawn_blocking`.

use std::sync::Arc;

use crate::campaigns::{Campaign, CampaignStore};
use crate::domain::campaign::{
    AudienceRequest, CampaignReport, CampaignRequest, CampaignSpec, Candidate, FieldError,
    Vocabulary, freeze, matches, report,
};
use crate::engine::Engine;
use crate::model::Models;

/// Why a campaign was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// A field of the request is not valid, or the audience cannot be sent.
    #[error(transparent)]
    Invalid(FieldError),
    /// The store could not write it.
    #[error(transparent)]
    Store(#[from] crate::Error),
}

/// Offer types a campaign or an audience filter may name.
pub fn offer_types() -> Vec<&'static str> {
    features::offers::OfferKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect()
}

/// The values an audience filter may name under `models`: group ids and tier ids.
pub fn known_values(models: &Models) -> (Vec<String>, Vec<String>) {
    match &models.segments {
        Some(s) => (
            s.groups().groups().iter().map(|g| g.id.clone()).collect(),
            s.tiers()
                .map(|t| t.levels().iter().map(|l| l.id.clone()).collect())
                .unwrap_or_default(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// Checks `request` against the values `models` knows (groups, tiers, offer types).
fn check(request: CampaignRequest, models: &Models) -> Result<CampaignSpec, FieldError> {
    let (groups, tiers) = known_values(models);
    request.check(&Vocabulary {
        groups: &groups,
        tiers: &tiers,
        offer_types: &offer_types(),
    })
}

/// Checks `request` against the serving version, freezes its audience against the contact
/// log and stores it.
pub fn create_campaign(
    engine: &Engine,
    store: &CampaignStore,
    request: CampaignRequest,
) -> Result<Arc<Campaign>, CreateError> {
    let with_offers = !request.audience.offer_types.is_empty();
    let (answers, models) = engine.answers(with_offers);
    let spec = check(request, &models).map_err(CreateError::Invalid)?;
    let created = store.create(spec, models.version.clone(), |id, spec, contacts| {
        let candidates = answers
            .iter()
            .map(|(member_id, answer, offer_types)| Candidate {
                member_id,
                answer,
                offer_types,
            });
        freeze(id, spec, candidates, contacts, spec.send_date.start_ts())
    })?;
    created.map_err(|reason| {
        CreateError::Invalid(FieldError {
            field: "audience".into(),
            problem: reason,
        })
    })
}

/// How many members match `audience` now (offers are computed only when the filter names
/// offer types). The filter's values are checked like a campaign's.
pub fn audience_count(engine: &Engine, audience: &AudienceRequest) -> Result<u64, FieldError> {
    let with_offers = !audience.offer_types.is_empty();
    let (answers, models) = engine.answers(with_offers);
    let probe = CampaignRequest {
        name: "audience count".into(),
        audience: audience.clone(),
        channel: "email".into(),
        send_date: models.churn.as_of.to_string(),
        ..CampaignRequest::default()
    };
    let spec = check(probe, &models)?;
    Ok(answers
        .iter()
        .filter(|(member_id, answer, offer_types)| {
            matches(
                &spec.audience,
                &Candidate {
                    member_id,
                    answer,
                    offer_types,
                },
            )
        })
        .count() as u64)
}

/// The uplift report of `campaign` from the orders the engine holds now.
pub fn campaign_report(engine: &Engine, campaign: &Campaign) -> CampaignReport {
    let from = campaign.spec.send_date;
    let until = from.plus(campaign.spec.window_days as i32);
    let (outcomes, data_until) = engine.outcomes(
        campaign.members.iter().map(|m| m.member_id.as_str()),
        from,
        until,
    );
    report(
        &campaign.id,
        &campaign.members,
        &outcomes,
        (from, until),
        data_until,
        campaign.spec.rank_by.map(|r| r.as_str()),
    )
}
