//! Seeded synthetic membership-brand data.
