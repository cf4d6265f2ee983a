//! How a subscription is applied to a cluster, beyond what it renders: which field manager
//! applies and whether it forces conflicts ([`field_manager`]), which fields are left to
//! others ([`ignore_fields`]), and how long each cluster may take ([`timeouts`]). Decoded by
//! the subscription resource, used by [`crate::targets`] when it deploys and reads; below
//! both, so neither reaches the other through it.

pub mod field_manager;
pub mod ignore_fields;
pub mod timeouts;
