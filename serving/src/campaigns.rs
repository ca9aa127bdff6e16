//! The campaign store: every campaign with its frozen audience, in an append-only journal
//! (one JSON line per campaign, on disk before the campaign is acknowledged), and the contact
//! log the frequency caps read, rebuilt from the treated members of every stored campaign.
//!
//! Creation is serialised by one lock held from the cap check to the durable write, so two
//! concurrent campaigns never both contact a member over a cap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use features::campaign::{CapPolicy, ContactHistory};

use crate::domain::campaign::{
    Assignment, AudienceCounts, AudienceMember, CampaignSpec, Frozen, PowerNote,
};
use crate::{Error, Result};

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Campaign {
    /// `c000001`, `c000002`, ...
    pub id: String,
    /// What was asked for, checked.
    pub spec: CampaignSpec,
    /// When it was created (seconds since 1970, UTC).
    pub created_at: i64,
    /// The model version whose answers froze the audience.
    pub model_version: String,
    /// Counts of the frozen audience.
    pub counts: AudienceCounts,
    /// The power calculation at creation.
    pub power: Option<PowerNote>,
    /// Warnings given at creation.
    pub warnings: Vec<String>,
    /// Every matching member, by member id.
    pub members: Vec<AudienceMember>,
}

impl Campaign {
    /// The send time the caps count contacts at: the start of the send day.
    pub fn send_at(&self) -> i64 {
        self.spec.send_date.start_ts()
    }
}

struct Inner {
    file: std::fs::File,
    campaigns: Vec<Arc<Campaign>>,
    contacts: ContactHistory,
}

/// The campaigns and the contact log.
pub struct CampaignStore {
    path: PathBuf,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for CampaignStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CampaignStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CampaignStore {
    /// Opens (creating) the store at `path` with the frequency caps `caps`, reading every
    /// campaign back and recording its treated members as contacted.
    pub fn open(path: &Path, caps: CapPolicy) -> Result<CampaignStore> {
        let (file, stored) = crate::journal::open::<Campaign>(path, "campaign store")?;
        let mut contacts = ContactHistory::new(caps);
        for c in &stored {
            record_contacts(&mut contacts, c);
        }
        Ok(CampaignStore {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                file,
                campaigns: stored.into_iter().map(Arc::new).collect(),
                contacts,
            }),
        })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates a campaign: `freeze(id, spec, contacts)` freezes its audience against the contact
    /// log, the campaign is written and synced, and only then are its treated members recorded
    /// as contacted. `Ok(Err(reason))` when the frozen audience cannot be sent (nobody matched,
    /// or every match is capped): nothing is stored.
    pub fn create(
        &self,
        spec: CampaignSpec,
        model_version: String,
        freeze: impl FnOnce(&str, &CampaignSpec, &ContactHistory) -> Frozen,
    ) -> Result<std::result::Result<Arc<Campaign>, String>> {
        let mut inner = self.inner();
        let id = format!("c{:06}", inner.campaigns.len() + 1);
        let frozen = freeze(&id, &spec, &inner.contacts);
        if frozen.counts.matched == 0 {
            return Ok(Err("no member matches the audience filter".into()));
        }
        if frozen.counts.treated + frozen.counts.control == 0 {
            return Ok(Err(format!(
                "all {} matching members are over a frequency cap for this channel and date",
                frozen.counts.matched
            )));
        }
        let campaign = Campaign {
            id,
            spec,
            created_at: chrono::Utc::now().timestamp(),
            model_version,
            counts: frozen.counts,
            power: frozen.power,
            warnings: frozen.warnings,
            members: frozen.members,
        };
        let mut line = serde_json::to_vec(&campaign).map_err(|e| Error::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        crate::journal::append_synced(&mut inner.file, &line).map_err(Error::io(&self.path))?;
        record_contacts(&mut inner.contacts, &campaign);
        let campaign = Arc::new(campaign);
        inner.campaigns.push(Arc::clone(&campaign));
        Ok(Ok(campaign))
    }

    /// The campaign `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Campaign>> {
        self.inner().campaigns.iter().find(|c| c.id == id).cloned()
    }

    /// Every campaign, oldest first.
    pub fn list(&self) -> Vec<Arc<Campaign>> {
        self.inner().campaigns.clone()
    }

    /// How many contacts the log holds for `member_id`.
    pub fn contacts_of(&self, member_id: &str) -> usize {
        self.inner().contacts.contacts(member_id).len()
    }
}

fn record_contacts(contacts: &mut ContactHistory, c: &Campaign) {
    let at = c.send_at();
    for m in c
        .members
        .iter()
        .filter(|m| m.assignment == Assignment::Treated)
    {
        contacts.record(&m.member_id, c.spec.channel, at, &c.id);
    }
}
