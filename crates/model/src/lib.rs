//! Clusternet's application model and render engine.
//!
//! Given Clusternet objects - ManagedClusters, Subscriptions, feeds (HelmCharts and plain
//! Kubernetes objects), Localizations, Globalizations, FeedInventories - this crate computes
//! what Clusternet's hub would produce: each Subscription's scheduling status
//! (`bindingClusters`, `replicas`, `specHash`, `desiredReleases`), one Base per bound
//! cluster, the dividing Localizations, and the rendered Descriptions, plus *provenance*
//! (which override changed which object, which overrides matched nothing, which patches
//! were skipped, where upstream's order is a tie). Source of truth: `spec/clusternet.md`
//! of the shared project facts.
//!
//! Pure: no I/O, no async, no network, no clock, no randomness. Same input, same output,
//! byte for byte, whatever the order the objects were given in.
//!
//! # Entry points
//!
//! * [`render::render`]`(&RenderInput) -> Result<RenderOutput, Error>`: the whole
//!   pipeline. Fill a [`render::RenderInput`] with [`render::RenderInput::add_object`]
//!   (any Kubernetes object as JSON) or field by field. A Description whose overrides fail
//!   is left out and listed in [`render::RenderOutput::failures`] (typed, naming the
//!   cluster, the object and the override); the other clusters render, as upstream.
//! * [`preview::preview`] / [`preview::preview_redacted`]: one Subscription's rendering
//!   as the Terraform preview map (`<cluster>/<apiVersion>/<Kind>/<ns>/<name>` and
//!   `<cluster>/helm/<ns>/<chart>` -> compact sorted-key JSON).
//! * [`preview::PreviewKey`] / [`preview::ReleaseKey`]: those keys, and `releases` keys
//!   (`<cluster>/<namespace>/<release>`), parsed and spelled (Display/FromStr);
//!   [`identity::ObjectIdentity`]: one object's identity and its feed key.
//! * [`hub::objects`]: the Clusternet objects a hub holds for a rendered Subscription
//!   (Subscription and status, Manifests, HelmCharts, Bases, Localizations, Descriptions,
//!   HelmReleases - [`hub::releases`] - and charts' default values as Globalizations -
//!   [`hub::chart_values`]).
//! * [`stream::render_sources`]: the `render` CLI contract (YAML streams in, YAML or JSON
//!   `List` out, warnings separately).
//! * [`crd::custom_resource_definition`]: CRDs for the provider's own hub mode, generated
//!   from the types' [`crd::CrdSchema`] and tested for compatibility with upstream's.
//! * Building blocks, usable alone: [`scheduling::schedule`],
//!   [`scheduling::dividing`], [`scheduling::predictor`] (a cluster's availability from its
//!   Nodes and Pods), [`overrides::apply_overrides`] and its primitives
//!   ([`overrides::json_patch`], [`overrides::merge_patch`], [`overrides::helm`],
//!   [`overrides::field_patch`]), [`spec_hash::spec_hash`], [`selectors`], [`taints`],
//!   [`scope`] (which kinds are namespaced, without a cluster).
//!
//! # YAML
//!
//! `serde_yaml` is deprecated and unmaintained. The crate uses `serde_norway`, a
//! maintained fork with the same API and the same libyaml-based parser (via
//! `unsafe-libyaml-norway`), only to parse YAML into its own value tree and print one;
//! conversion to `serde_json::Value` is done in [`yaml`] so that exact numbers
//! (`arbitrary_precision`) and Go's float formatting are kept under control.
//!
//! # Deliberate choices where upstream is not deterministic
//!
//! Recorded in `docs/adr/0010-model-deterministic-tie-breaks.md`. Every tie below is also
//! reported as a [`provenance::WarningCode::Tie`] warning (a replica split among equal clusters as
//! [`provenance::WarningCode::ReplicaTie`]).
//! * **Scheduler order.** Upstream sorts candidate clusters by score with an unstable sort;
//!   the model orders by score (fewer intolerable `PreferNoSchedule` taints first), then by
//!   `namespace/name`. This decides which equal-weight cluster receives a leftover replica
//!   (static dividing) and which clusters a sub-group keeps.
//! * **Dynamic dividing remainders.** Equal remainders: lower index (in that order) first.
//! * **Override objects with equal priority.** Upstream orders by priority, then by the
//!   *second-of-minute* of `creationTimestamp` (a missing timestamp is second 0, like Go's
//!   zero time), then informer order. The model keeps the first two keys and then uses the
//!   full timestamp, then namespace/name. A user Localization at priority 1000 ties with the
//!   generated dividing Localization (issue #779); it is ordered by name and flagged.
//! * **Feeds without namespace** match the object in every namespace (upstream quirk, kept);
//!   the matches are ordered by namespace/name instead of informer order.
//! * **Generated names and UIDs** (`<subscription>-xxxxx` Bases, `<base>-xxxxx`
//!   Localizations, server UIDs) are derived from a hash of the object's identity in the
//!   `util/rand` alphabet ([`naming`]), instead of random.
//!
//! # Divergences from upstream, and why
//!
//! * **No hub dry-run.** The shadow API stores the hub's *dry-run* result, with server
//!   defaults of the hub's Kubernetes version. Offline, [`feeds::normalize_template`]
//!   applies what the shadow API trims and adds (§4) and exactly one server default,
//!   `spec.replicas: 1` for Deployments, StatefulSets and ReplicaSets, because dividing
//!   patches that field with `replace` (which upstream silently drops on a missing
//!   path). Every other default (`strategy`, `imagePullPolicy`, `terminationMessagePath`,
//!   Service `sessionAffinity`, ...) is absent from the preview: it shows objects as
//!   written, not as defaulted. A JSON patch that targets such a defaulted-only field is
//!   skipped here and reported (`PatchSkipped`), where the hub would apply it.
//! * **Objects without `metadata.namespace`** are treated as cluster-scoped: the model
//!   has no discovery to know a kind is namespaced and no kubectl context to default it.
//! * **Server-owned metadata** (`creationTimestamp`, `resourceVersion`, `generation`) is
//!   not invented. The HelmChart JSON that `chartRaw` starts from carries the HelmChart
//!   controller's `config.*` labels and finalizer, but not the `<uid>: Base` /
//!   `<uid>: Subscription` back-reference labels, which depend on server UIDs of every
//!   Subscription using the chart.
//! * **UIDs.** A Subscription without `metadata.uid` gets a derived one (it appears in
//!   Base/Description labels); the output Subscription shows it.
//! * **Helm numbers.** Helm coalesces values through float64 (integers above 2^53 lose
//!   precision, `1.50` becomes `1.5`); the model keeps number literals exactly.
//! * **YAML 1.1 in input objects.** Override values and the YAML inside patched fields are
//!   read as Clusternet reads them (`sigs.k8s.io/yaml` on goyaml.v2, YAML 1.1: unquoted
//!   `yes`/`on`/`off` are booleans, `012` is octal; [`goyaml`]). The input objects
//!   themselves (feeds, ManagedClusters, ...) are read as YAML 1.2 by `serde_norway`, which
//!   keeps those words as strings; `kubectl` would read them as booleans. Quote them.
//! * **Key order of the object.** The evanphx JSON-patch library keeps untouched subtrees'
//!   raw bytes; for the object itself the model re-serialises with sorted keys. Stored
//!   templates are Go-marshalled (sorted) maps, so the bytes agree for every realistic
//!   input. (Inside a patched JSON *field*, where the original text is the user's, the
//!   model does keep untouched bytes: see "Field patches" below.)
//! * **HelmChart phase.** An empty `status.phase` ("verifying", retried upstream) is
//!   rendered as if `Found`; `NotFound` renders no Description for the Subscription's
//!   Bases, as upstream, with a `ChartNotFound` warning.
//! * **Missing feeds** fail the whole render with an error naming the Subscription and
//!   `spec.feeds[i]` (upstream fails that Base with event `Nonexistent<Kind>` and keeps
//!   going); a plan must not silently drop a cluster.
//! * **Dynamic dividing** takes each cluster's availability given outright (the
//!   `render.clusternet.io/available-replicas` annotation in the CLI, `capacity` in the
//!   provider) or predicts it from the cluster's Nodes and Pods
//!   ([`scheduling::predictor`], fed by `v1` Nodes and Pods annotated
//!   `render.clusternet.io/cluster` in the CLI, listed from the children by the provider):
//!   nodeSelector, NoSchedule/NoExecute taints, allocatable minus the requests of Pods not
//!   Succeeded/Failed, per-node minimum of free/request capped by free pod slots, summed -
//!   what upstream's agent predictor computes, including that it ignores Node readiness,
//!   `unschedulable` and affinity. A cluster whose prediction fails (no feasible Node, an
//!   overcommitted Node) is reported (`UnknownAvailability`) and counted as 0. Once a
//!   Subscription has replicas (its `status`), only the deviation is divided as upstream:
//!   scaling up by availability and added to the current replicas, scaling down by the
//!   current replicas, no deviation keeps them; a current binding with a cluster that is no
//!   longer selectable is divided from scratch instead (upstream would keep replicas on
//!   it). `minClusters`, `maxClusters`, `topologySpreadConstraints` and
//!   `preferredClusters` are not evaluated. The adaptive filtering percentage for fleets of
//!   100+ clusters is not modelled (every candidate is considered).
//! * **Sub-groups.** Clusters matched by several subscribers are bound once.
//! * **FeedInventory detection** sums container resources with the model's own quantity
//!   arithmetic ([`quantity`]); a quantity it cannot parse is left out of the sum instead
//!   of failing the render (the API server would have rejected it earlier).
//! * **StrategicMergePatch** is rejected with an error, as upstream; so is an empty
//!   `fieldFormat` on field patches (upstream's comment claims a YAML default it does not
//!   have).
//!
//! # Field patches, byte for byte
//!
//! `FieldJSONPatch` and `FieldMergePatch` rewrite a string field with the bytes Clusternet's
//! `applyFieldJSONPatch` / `applyFieldMergePatch` (`localizer/patch.go`) write, through the
//! library versions its go.mod pins ([`overrides::field_patch`]):
//! * JSON field, JSON patch: evanphx/json-patch v5.7.0 `ApplyIndent` re-parses only the
//!   top level and the containers a patch walks through or tests; untouched nested values
//!   keep their key order and number spelling ([`overrides::lazy_patch`]). A patch dropped
//!   for a missing path leaves the field byte-identical.
//! * JSON field, merge patch: the result goes through `map[string]interface{}`, so every
//!   number through float64 (`12345678901234567890` -> `12345678901234567000`, `1.0` -> `1`).
//! * YAML field: goyaml.v2 reads YAML 1.1 and writes keys in natural order (`item2` <
//!   `item9` < `item10`), strings that would read as another type double-quoted (`"on"`,
//!   `"8080"`, `""`), floats with `%g`, lines folded at 80 columns ([`goyaml`]).
//!
//! `tests/field_patch_vectors.rs` holds the bytes the pinned Go libraries write for each rule.
//! Not reproduced: a custom-tagged scalar (`!foo 12`) in a YAML field keeps the type
//! `serde_norway` gives it; a float literal beyond float64 (`1e400`) is refused where goyaml.v2
//! keeps it as a string; a non-ASCII digit in a map key sorts by code point, not by
//! goyaml.v2's digit arithmetic; error messages are the model's own.

pub mod crd;
pub mod description;
pub mod error;
pub mod feeds;
pub mod goyaml;
pub mod hub;
pub mod identity;
pub mod input;
pub mod inventory;
pub mod json;
pub mod names;
pub mod naming;
pub mod overrides;
pub mod preview;
pub mod provenance;
pub mod quantity;
pub mod render;
pub mod scheduling;
pub mod scope;
pub mod selectors;
pub mod spec_hash;
pub mod stream;
pub mod taints;
pub mod types;
pub mod yaml;
