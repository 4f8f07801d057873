//! Helpers shared by the simulator's tests: a default-tenant simulator with a frozen clock,
//! raw HTTP calls (to check the wire exactly), and the default tenant's ids.

#![allow(dead_code)]

use pim_sim::{Simulator, Tenant};
use serde_json::Value;

pub const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
pub const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
pub const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const PRA: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";

/// The default tenant, provisioning after 2 s of simulated time, clock frozen.
pub async fn sim() -> Simulator {
    let sim = pim_sim::spawn(Tenant::default_tenant())
        .await
        .expect("spawn");
    sim.clock().freeze();
    sim
}

pub fn id(sim: &Simulator, name: &str) -> String {
    sim.principal_id(name).expect(name)
}

/// A raw response: status, headers, JSON body (`Null` when empty or not JSON).
pub struct Raw {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Raw {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or("")
    }
}

/// `method` `path` (after `/beta`, query included) with `token` and an optional JSON body.
pub async fn call(
    sim: &Simulator,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Raw {
    call_raw(
        sim,
        method,
        path,
        Some(token),
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

pub async fn call_raw(
    sim: &Simulator,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> Raw {
    let url = format!("{}{path}", sim.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Raw {
        status,
        headers,
        text,
        json,
    }
}

/// A `selfActivate` body for `principal` and `role` for `duration`.
pub fn activation(
    principal: &str,
    role: &str,
    duration: &str,
    justification: Option<&str>,
) -> Value {
    let mut body = serde_json::json!({
        "action": "selfActivate",
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": duration}},
    });
    if let Some(j) = justification {
        body["justification"] = Value::String(j.into());
    }
    body
}

pub const REQUESTS: &str = "/roleManagement/directory/roleAssignmentScheduleRequests";
pub const INSTANCES: &str = "/roleManagement/directory/roleAssignmentScheduleInstances";
