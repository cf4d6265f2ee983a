//! The `tfplugin6.Provider` gRPC service: decodes requests with the schema types, calls the
//! [`Provider`], encodes the answers. Problems become diagnostics, never gRPC errors, because
//! Terraform shows a gRPC error only as an opaque "plugin error".

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::function::FunctionError;
use crate::proto::tfplugin6 as pb;
use crate::provider::{ApplyRequest, PlanRequest, Provider, ReadRequest};
use crate::schema::Schema;
use crate::value::{AttributePath, PathStep, Type, Value, json, msgpack};

/// Adapts a [`Provider`] to the generated gRPC service trait.
pub struct GrpcProvider<P> {
    provider: Arc<P>,
}

impl<P: Provider> GrpcProvider<P> {
    /// Wraps `provider`.
    pub fn new(provider: Arc<P>) -> Self {
        GrpcProvider { provider }
    }

    fn resource_schema(&self, type_name: &str) -> Result<&Schema, Diagnostics> {
        self.provider
            .schemas()
            .resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    fn data_source_schema(&self, type_name: &str) -> Result<&Schema, Diagnostics> {
        self.provider
            .schemas()
            .data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    /// The resource's value type and `N` values of it decoded (state, plan, config...).
    fn decode_resource_values<const N: usize>(
        &self,
        type_name: &str,
        values: [&Option<pb::DynamicValue>; N],
    ) -> Result<(Type, [Value; N]), Diagnostics> {
        let ty = self.resource_schema(type_name)?.value_type();
        let mut decoded = Vec::with_capacity(N);
        for value in values {
            decoded.push(decode_dynamic(value.as_ref(), &ty)?);
        }
        let decoded: [Value; N] = decoded
            .try_into()
            .unwrap_or_else(|_| unreachable!("one value decoded per input"));
        Ok((ty, decoded))
    }
}

impl<P: Provider> GrpcProvider<P> {
    /// CallFunction, decoded: each argument with its parameter's type, the result with the
    /// return type. A failure is a [`FunctionError`], never a gRPC error or a panic.
    fn call(
        &self,
        name: &str,
        arguments: &[pb::DynamicValue],
    ) -> Result<pb::DynamicValue, FunctionError> {
        let declaration = self.provider.schemas().functions.get(name).ok_or_else(|| {
            FunctionError::call(format!(
                "This provider defines no function {name:?}; check the name and the \
                     provider version."
            ))
        })?;
        let parameters = &declaration.parameters;
        if arguments.len() != parameters.len() {
            let noun = if parameters.len() == 1 {
                "argument"
            } else {
                "arguments"
            };
            return Err(FunctionError::call(format!(
                "{name} takes {} {noun}, {} given.",
                parameters.len(),
                arguments.len()
            )));
        }
        let decoded = arguments
            .iter()
            .zip(parameters)
            .enumerate()
            .map(|(position, (argument, parameter))| {
                crate::value::decode_dynamic_value(&argument.msgpack, &argument.json, &parameter.ty)
                    .map_err(|e| {
                        FunctionError::argument(
                            position,
                            format!(
                                "The provider could not read the argument {}: {e}.",
                                parameter.name
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<Value>, _>>()?;
        let result = self.provider.call_function(name, decoded)?;
        msgpack::encode(&result, &declaration.return_type)
            .map(|msgpack| pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            })
            .map_err(|e| {
                FunctionError::call(format!(
                    "This is a bug in the provider: {name} produced a value it cannot encode: {e}."
                ))
            })
    }
}

/// Every function declaration, in wire form.
fn functions_to_proto(
    schemas: &crate::schema::ProviderSchemas,
) -> std::collections::HashMap<String, pb::Function> {
    schemas
        .functions
        .iter()
        .map(|(name, declaration)| (name.clone(), declaration.to_proto()))
        .collect()
}

/// Encodes a reply value; a failure becomes a diagnostic (and no value).
fn encode_or_report(
    value: &Value,
    ty: &Type,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match encode_dynamic(value, ty) {
        Ok(v) => Some(v),
        Err(d) => {
            diagnostics.extend(d);
            None
        }
    }
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type {type_name:?}"),
        "This provider does not implement it; check the type name and the provider version.",
    )
    .into()
}

/// Decodes a DynamicValue: msgpack when present, else JSON, else null (as Terraform does).
pub fn decode_dynamic(value: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let decoded = match value {
        Some(v) if !v.msgpack.is_empty() => msgpack::decode(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => json::decode(&v.json, ty),
        _ => return Ok(Value::Null),
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid value received from Terraform",
            format!("The provider could not decode a value Terraform sent: {e}."),
        )
        .into()
    })
}

/// Encodes a value as msgpack, the only encoding providers should reply with.
pub fn encode_dynamic(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    msgpack::encode(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced a value it cannot encode",
                format!("This is a bug in the provider: {e}."),
            )
            .into()
        })
}

/// The wire form of an attribute path.
pub fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps()
            .iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::AttributeName(name) => Selector::AttributeName(name.clone()),
                    PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// A path from its wire form.
pub fn path_from_proto(path: &pb::AttributePath) -> AttributePath {
    use pb::attribute_path::step::Selector;
    path.steps.iter().filter_map(|s| s.selector.as_ref()).fold(
        AttributePath::root(),
        |p, s| match s {
            Selector::AttributeName(name) => p.attr(name),
            Selector::ElementKeyString(key) => p.key(key),
            Selector::ElementKeyInt(i) => p.index(*i),
        },
    )
}

/// The wire form of diagnostics.
pub fn diagnostics_to_proto(diagnostics: &Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics
        .iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.path.as_ref().map(path_to_proto),
        })
        .collect()
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        // Lets Terraform reuse the schema it already fetched within one command.
        get_provider_schema_optional: true,
        ..Default::default()
    }
}

type RpcResult<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for GrpcProvider<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        let schemas = self.provider.schemas();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: schemas
                .data_sources
                .keys()
                .map(|type_name| pb::get_metadata::DataSourceMetadata {
                    type_name: type_name.clone(),
                })
                .collect(),
            resources: schemas
                .resources
                .keys()
                .map(|type_name| pb::get_metadata::ResourceMetadata {
                    type_name: type_name.clone(),
                })
                .collect(),
            functions: schemas
                .functions
                .keys()
                .map(|name| pb::get_metadata::FunctionMetadata { name: name.clone() })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        let schemas = self.provider.schemas();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schemas.provider.to_proto()),
            resource_schemas: schemas
                .resources
                .iter()
                .map(|(k, v)| (k.clone(), v.to_proto()))
                .collect(),
            data_source_schemas: schemas
                .data_sources
                .iter()
                .map(|(k, v)| (k.clone(), v.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
            // Terraform 1.8+ reads function declarations here; older versions skip the field.
            functions: functions_to_proto(schemas),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let ty = self.provider.schemas().provider.value_type();
        let diagnostics = match decode_dynamic(request.get_ref().config.as_ref(), &ty) {
            Ok(config) => self.provider.validate_provider_config(&config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics_to_proto(&diagnostics),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let req = request.get_ref();
        let diagnostics = self
            .resource_schema(&req.type_name)
            .and_then(|s| decode_dynamic(req.config.as_ref(), &s.value_type()))
            .map(|config| {
                self.provider
                    .validate_resource_config(&req.type_name, &config)
            })
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diagnostics),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let req = request.get_ref();
        let diagnostics = self
            .data_source_schema(&req.type_name)
            .and_then(|s| decode_dynamic(req.config.as_ref(), &s.value_type()))
            .map(|config| {
                self.provider
                    .validate_data_source_config(&req.type_name, &config)
            })
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diagnostics),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let req = request.into_inner();
        let result = self.resource_schema(&req.type_name).and_then(|schema| {
            let ty = schema.value_type();
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                return Err(Diagnostic::error(
                    "Legacy state format is not supported",
                    "This state was written by Terraform 0.11 or older; refresh it with a \
                     supported Terraform version first.",
                )
                .into());
            }
            let state = if raw.json.is_empty() {
                Value::Null
            } else {
                // Attributes a newer schema dropped are ignored, as Terraform itself does.
                let options = json::DecodeOptions {
                    ignore_unknown_attributes: true,
                };
                json::decode_with(&raw.json, &ty, &options).map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        "Stored state does not match the resource schema",
                        format!(
                            "The state of this {} could not be read: {e}. If it was written by a \
                             newer provider version, use that version.",
                            req.type_name
                        ),
                    ))
                })?
            };
            let (upgraded, diagnostics) =
                self.provider
                    .upgrade_resource_state(&req.type_name, req.version, state);
            Ok((encode_dynamic(&upgraded, &ty)?, diagnostics))
        });
        Ok(Response::new(match result {
            Ok((state, diagnostics)) => pb::upgrade_resource_state::Response {
                upgraded_state: Some(state),
                diagnostics: diagnostics_to_proto(&diagnostics),
            },
            Err(diagnostics) => pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diagnostics_to_proto(&diagnostics),
            },
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let req = request.into_inner();
        let ty = self.provider.schemas().provider.value_type();
        let diagnostics = match decode_dynamic(req.config.as_ref(), &ty) {
            Ok(config) => self.provider.configure(config, req.terraform_version).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics_to_proto(&diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let req = request.into_inner();
        let schema = match self.resource_schema(&req.type_name) {
            Ok(s) => s,
            Err(d) => {
                return Ok(Response::new(read_failure(
                    d,
                    req.current_state,
                    req.private,
                )));
            }
        };
        let ty = schema.value_type();
        let current_state = match decode_dynamic(req.current_state.as_ref(), &ty) {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(read_failure(
                    d,
                    req.current_state,
                    req.private,
                )));
            }
        };
        let response = self
            .provider
            .read_resource(ReadRequest {
                type_name: req.type_name,
                current_state,
                private: req.private,
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diagnostics_to_proto(&diagnostics),
            private: response.private,
            deferred: None,
            new_identity: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        let decoded = self.decode_resource_values(
            &req.type_name,
            [&req.prior_state, &req.proposed_new_state, &req.config],
        );
        let (ty, [prior_state, proposed_new_state, config]) = match decoded {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(pb::plan_resource_change::Response {
                    diagnostics: diagnostics_to_proto(&d),
                    ..Default::default()
                }));
            }
        };
        let response = self
            .provider
            .plan_resource_change(PlanRequest {
                type_name: req.type_name,
                prior_state,
                proposed_new_state,
                config,
                prior_private: req.prior_private,
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let planned_state = encode_or_report(&response.planned_state, &ty, &mut diagnostics);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace: response
                .requires_replace
                .iter()
                .map(path_to_proto)
                .collect(),
            planned_private: response.planned_private,
            diagnostics: diagnostics_to_proto(&diagnostics),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        let decoded = self.decode_resource_values(
            &req.type_name,
            [&req.prior_state, &req.planned_state, &req.config],
        );
        let (ty, [prior_state, planned_state, config]) = match decoded {
            Ok(v) => v,
            Err(d) => {
                // Keep the prior state: nothing was done.
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: diagnostics_to_proto(&d),
                    ..Default::default()
                }));
            }
        };
        let response = self
            .provider
            .apply_resource_change(ApplyRequest {
                type_name: req.type_name,
                prior_state,
                planned_state,
                config,
                planned_private: req.planned_private,
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: response.private,
            diagnostics: diagnostics_to_proto(&diagnostics),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let req = request.into_inner();
        let (resources, mut diagnostics) = self
            .provider
            .import_resource_state(&req.type_name, &req.id)
            .await;
        let mut imported = Vec::new();
        for resource in resources {
            let encoded = self
                .resource_schema(&resource.type_name)
                .and_then(|s| encode_dynamic(&resource.state, &s.value_type()));
            match encoded {
                Ok(state) => imported.push(pb::import_resource_state::ImportedResource {
                    type_name: resource.type_name,
                    state: Some(state),
                    private: resource.private,
                    identity: None,
                }),
                Err(d) => diagnostics.extend(d),
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diagnostics_to_proto(&diagnostics),
            deferred: None,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let req = request.into_inner();
        let decoded = self.data_source_schema(&req.type_name).and_then(|schema| {
            let ty = schema.value_type();
            Ok((decode_dynamic(req.config.as_ref(), &ty)?, ty))
        });
        let (config, ty) = match decoded {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(pb::read_data_source::Response {
                    diagnostics: diagnostics_to_proto(&d),
                    ..Default::default()
                }));
            }
        };
        let (state, mut diagnostics) = self.provider.read_data_source(&req.type_name, config).await;
        let state = if diagnostics.has_errors() {
            None
        } else {
            encode_or_report(&state, &ty, &mut diagnostics)
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diagnostics_to_proto(&diagnostics),
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response {
            functions: functions_to_proto(self.provider.schemas()),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        let req = request.into_inner();
        let result = self.call(&req.name, &req.arguments);
        Ok(Response::new(match result {
            Ok(value) => pb::call_function::Response {
                result: Some(value),
                error: None,
            },
            Err(error) => pb::call_function::Response {
                result: None,
                error: Some(error.to_proto()),
            },
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

fn read_failure(
    diagnostics: Diagnostics,
    current_state: Option<pb::DynamicValue>,
    private: Vec<u8>,
) -> pb::read_resource::Response {
    pb::read_resource::Response {
        new_state: current_state,
        diagnostics: diagnostics_to_proto(&diagnostics),
        private,
        deferred: None,
        new_identity: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::function::{FunctionDeclaration, Parameter};
    use crate::provider::{ApplyResponse, ImportedResource, PlanResponse, ReadResponse};
    use crate::schema::ProviderSchemas;
    use pb::provider_server::Provider as _;

    /// A provider with one function, `halve(number) -> number`, and nothing else.
    struct Halver(ProviderSchemas);

    impl Halver {
        fn new() -> Self {
            let declaration = FunctionDeclaration {
                parameters: vec![Parameter::new("n", Type::Number, "An even number.")],
                return_type: Type::Number,
                summary: "Halves".into(),
                description: "Halves an even number.".into(),
            };
            Halver(ProviderSchemas {
                functions: BTreeMap::from([("halve".to_string(), declaration)]),
                ..Default::default()
            })
        }
    }

    impl Provider for Halver {
        fn schemas(&self) -> &ProviderSchemas {
            &self.0
        }
        fn validate_provider_config(&self, _: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn configure(&self, _: Value, _: String) -> Diagnostics {
            Diagnostics::new()
        }
        fn validate_resource_config(&self, _: &str, _: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        fn validate_data_source_config(&self, _: &str, _: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn read_data_source(&self, _: &str, _: Value) -> (Value, Diagnostics) {
            (Value::Null, Diagnostics::new())
        }
        async fn plan_resource_change(&self, _: PlanRequest) -> PlanResponse {
            PlanResponse::null(Diagnostics::new())
        }
        async fn apply_resource_change(&self, _: ApplyRequest) -> ApplyResponse {
            unreachable!("no resources")
        }
        async fn read_resource(&self, _: ReadRequest) -> ReadResponse {
            unreachable!("no resources")
        }
        async fn import_resource_state(
            &self,
            _: &str,
            _: &str,
        ) -> (Vec<ImportedResource>, Diagnostics) {
            (Vec::new(), Diagnostics::new())
        }
        fn call_function(&self, name: &str, arguments: Vec<Value>) -> Result<Value, FunctionError> {
            assert_eq!(name, "halve");
            let n = arguments[0]
                .as_number()
                .and_then(|n| n.as_i64())
                .unwrap_or(1);
            if n % 2 != 0 {
                return Err(FunctionError::argument(0, format!("{n} is odd.")));
            }
            Ok(Value::from(n / 2))
        }
    }

    fn grpc() -> GrpcProvider<Halver> {
        GrpcProvider::new(Arc::new(Halver::new()))
    }

    fn number(n: i64) -> pb::DynamicValue {
        encode_dynamic(&Value::from(n), &Type::Number).unwrap()
    }

    async fn call(name: &str, arguments: Vec<pb::DynamicValue>) -> pb::call_function::Response {
        grpc()
            .call_function(Request::new(pb::call_function::Request {
                name: name.to_string(),
                arguments,
            }))
            .await
            .unwrap()
            .into_inner()
    }

    #[tokio::test]
    async fn declarations_are_in_the_schema_the_function_list_and_the_metadata() {
        let schema = grpc()
            .get_provider_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(schema.functions["halve"].parameters[0].name, "n");
        let functions = grpc()
            .get_functions(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(functions.functions.keys().collect::<Vec<_>>(), ["halve"]);
        let metadata = grpc()
            .get_metadata(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(metadata.functions[0].name, "halve");
    }

    #[tokio::test]
    async fn a_call_decodes_its_arguments_and_encodes_the_result() {
        let response = call("halve", vec![number(8)]).await;
        assert!(response.error.is_none(), "{:?}", response.error);
        assert_eq!(
            decode_dynamic(response.result.as_ref(), &Type::Number).unwrap(),
            Value::from(4)
        );
    }

    #[tokio::test]
    async fn failures_are_function_errors_with_the_argument_position() {
        let error = call("halve", vec![number(3)]).await.error.unwrap();
        assert_eq!(
            (error.text.as_str(), error.function_argument),
            ("3 is odd", Some(0))
        );
        let error = call("double", vec![number(3)]).await.error.unwrap();
        assert_eq!(error.function_argument, None);
        assert!(
            error.text.contains("no function \"double\""),
            "{}",
            error.text
        );
        let error = call("halve", vec![]).await.error.unwrap();
        assert_eq!(error.text, "halve takes 1 argument, 0 given");
        let not_a_number = pb::DynamicValue {
            msgpack: encode_dynamic(&Value::from("x"), &Type::String)
                .unwrap()
                .msgpack,
            json: Vec::new(),
        };
        let error = call("halve", vec![not_a_number]).await.error.unwrap();
        assert_eq!(error.function_argument, Some(0));
        assert!(
            error
                .text
                .starts_with("The provider could not read the argument n:"),
            "{}",
            error.text
        );
    }
}
