//! Claims challenges answered by a claims-aware token provider: the client asks once and
//! sends the request again once; without such a provider the error says which claims are
//! needed and how to get a token for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pim_api::pim::{self, Activation, PimError};
use pim_api::runtime::{
    AccessToken, Client, GetRequest, ODataPath, StaticToken, TokenFuture, TokenProvider,
};
use pim_sim::{Simulator, Tenant};
use wiremock::matchers::{any, header};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out `plain`, and `stepped_up` when asked to satisfy claims naming `c1`.
struct SteppingUp {
    plain: &'static str,
    stepped_up: &'static str,
    asked: AtomicUsize,
}

impl TokenProvider for SteppingUp {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok(AccessToken::new(self.plain))))
    }

    fn token_for_claims<'a>(&'a self, claims: &'a str) -> Option<TokenFuture<'a>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let token = if claims.contains("\"c1\"") {
            self.stepped_up
        } else {
            self.plain
        };
        Some(Box::pin(std::future::ready(Ok(AccessToken::new(token)))))
    }
}

fn app_admin(sim: &Simulator) -> Activation {
    Activation::role(
        sim.principal_id("ben").unwrap(),
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    )
    .justification("deploy")
    .ticket("CHG-42", "ServiceNow")
}

fn client_with(sim: &Simulator, provider: Arc<SteppingUp>) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .allow_http_loopback(true)
        .token_provider_arc(provider)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_authentication_context_challenge_is_answered_once() {
    let sim = Simulator::builder(Tenant::default_tenant())
        .provisioning_delay(Duration::ZERO)
        .spawn()
        .await
        .unwrap();
    let provider = Arc::new(SteppingUp {
        plain: "sim-ben",
        stepped_up: "sim-ben-mfa",
        asked: AtomicUsize::new(0),
    });
    let client = client_with(&sim, provider.clone());
    let request = pim::activate(&client, &app_admin(&sim)).await.unwrap();
    assert!(request.id().is_some());
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
    let posts: Vec<_> = sim
        .log()
        .into_iter()
        .filter(|e| e.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].error_code.as_deref(),
        Some("RoleAssignmentRequestAcrsValidationFailed")
    );
    assert_eq!(posts[1].status, 201);
    assert_eq!(
        posts[0].client_request_id, posts[1].client_request_id,
        "one logical request"
    );
}

#[tokio::test]
async fn a_provider_that_cannot_satisfy_is_asked_once_and_the_error_returned() {
    let sim = Simulator::builder(Tenant::default_tenant())
        .spawn()
        .await
        .unwrap();
    let stubborn = Arc::new(SteppingUp {
        plain: "sim-ben",
        stepped_up: "sim-ben",
        asked: AtomicUsize::new(0),
    });
    let err = pim::activate(&client_with(&sim, stubborn.clone()), &app_admin(&sim))
        .await
        .unwrap_err();
    assert!(matches!(err.pim(), Some(PimError::ClaimsChallenge(_))));
    assert_eq!(stubborn.asked.load(Ordering::SeqCst), 1, "no loop");
    assert_eq!(sim.log().iter().filter(|e| e.method == "POST").count(), 2);
}

#[tokio::test]
async fn without_a_claims_aware_provider_the_error_says_what_to_do() {
    let sim = Simulator::builder(Tenant::default_tenant())
        .spawn()
        .await
        .unwrap();
    let client = sim.client("sim-ben").unwrap(); // a StaticToken: cannot sign in again
    let err = pim::activate(&client, &app_admin(&sim)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#),
        "{text}"
    );
    assert!(text.contains("--claims-challenge eyJ"), "{text}");
    assert!(text.contains("authentication context c1"), "{text}");
    let Some(PimError::ClaimsChallenge(c)) = err.pim() else {
        panic!("{err}")
    };
    assert_eq!(c.acrs(), ["c1"]);
    assert_eq!(sim.log().iter().filter(|e| e.method == "POST").count(), 1);
}

#[tokio::test]
async fn a_www_authenticate_challenge_is_answered_with_the_new_token() {
    let server = MockServer::start().await;
    let claims_b64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19";
    Mock::given(header("authorization", "Bearer plain-token-1"))
        .respond_with(
            ResponseTemplate::new(401).insert_header(
                "WWW-Authenticate",
                format!(r#"Bearer realm="", error="insufficient_claims", claims="{claims_b64}""#)
                    .as_str(),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer stepped-up-token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "ok"})))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let provider = Arc::new(SteppingUp {
        plain: "plain-token-1",
        stepped_up: "stepped-up-token-2",
        asked: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider_arc(provider.clone())
        .build()
        .unwrap();
    let v: serde_json::Value = GetRequest::new(&client, ODataPath::new().segment("x"))
        .await
        .unwrap();
    assert_eq!(v["id"], "ok");
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
    // A StaticToken gets the 401 with the advice.
    let plain = Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("plain-token-1"))
        .build()
        .unwrap();
    let err = GetRequest::<serde_json::Value>::new(&plain, ODataPath::new().segment("x"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("--claims-challenge"), "{err}");
}
