//! Token providers: caching until shortly before expiry (with a counting provider and a
//! virtual clock), shared refreshes, failures, invalid tokens.

mod runtime_support;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use pim_api::runtime::{
    AccessToken, CachingTokenProvider, Clock, Error, ErrorKind, GetRequest, ODataPath, TokenFuture,
    TokenProvider,
};
use runtime_support::{ManualClock, builder, header};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

/// Issues `token-1`, `token-2`, ... each valid for `lifetime` from the clock's now.
struct Counting {
    calls: Arc<AtomicUsize>,
    clock: Arc<ManualClock>,
    lifetime: Duration,
    delay: Duration,
}

impl TokenProvider for Counting {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(
                AccessToken::new(format!("token-{n}"))
                    .with_expiry(self.clock.now() + self.lifetime),
            )
        })
    }
}

fn counting(clock: &Arc<ManualClock>, lifetime: Duration) -> (Counting, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    (
        Counting {
            calls: calls.clone(),
            clock: clock.clone(),
            lifetime,
            delay: Duration::ZERO,
        },
        calls,
    )
}

/// A caching provider over hour-long tokens whose every fetch takes 50 ms (long enough for
/// other callers to arrive while it is in flight).
fn slow_hour_tokens(
    clock: &Arc<ManualClock>,
) -> (Arc<CachingTokenProvider<Counting>>, Arc<AtomicUsize>) {
    let (mut provider, calls) = counting(clock, Duration::from_secs(3600));
    provider.delay = Duration::from_millis(50);
    let cached = Arc::new(CachingTokenProvider::new(provider).with_clock(clock.clone()));
    (cached, calls)
}

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn cached_token_is_reused_until_shortly_before_expiry() {
    let server = ok_server().await;
    let clock = ManualClock::new();
    let (provider, calls) = counting(&clock, Duration::from_secs(3600));
    let cached = CachingTokenProvider::new(provider).with_clock(clock.clone());
    let client = builder(&server.uri(), clock.clone())
        .token_provider(cached)
        .build()
        .unwrap();
    let get = || GetRequest::<Value>::new(&client, ODataPath::new().segment("me"));

    for _ in 0..3 {
        get().await.unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // 54 minutes later: still more than the 5-minute margin left.
    clock.advance(Duration::from_secs(54 * 60));
    get().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // 56 minutes: inside the margin, refreshed once.
    clock.advance(Duration::from_secs(2 * 60));
    get().await.unwrap();
    get().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let auth: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| header(r, "authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth[..4], vec!["Bearer token-1"; 4]);
    assert_eq!(auth[4..], vec!["Bearer token-2"; 2]);
}

#[tokio::test]
async fn short_lived_tokens_are_still_cached_for_half_their_life() {
    let clock = ManualClock::new();
    let (provider, calls) = counting(&clock, Duration::from_secs(60));
    let cached = CachingTokenProvider::new(provider).with_clock(clock.clone());
    cached.token().await.unwrap();
    clock.advance(Duration::from_secs(29));
    cached.token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(2));
    cached.token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    cached.invalidate().await;
    let t = cached.token().await.unwrap();
    assert_eq!(t.secret().expose(), "token-3");
}

/// The synchronous fast path the client tries first must never hand out what `token()`
/// would not: nothing before the first fetch, nothing stale, nothing mid-refresh.
#[tokio::test]
async fn token_now_answers_only_with_a_fresh_cached_token() {
    let clock = ManualClock::new();
    let (cached, calls) = slow_hour_tokens(&clock);
    assert!(cached.token_now().is_none(), "empty cache");

    cached.token().await.unwrap();
    let now = cached.token_now().expect("fresh token");
    assert_eq!(now.secret().expose(), "token-1");

    // Inside the 5-minute margin the token is stale: the caller must refresh.
    clock.advance(Duration::from_secs(56 * 60));
    assert!(cached.token_now().is_none(), "stale token");

    // While a refresh holds the cache, the fast path defers to it.
    let refreshing = tokio::spawn({
        let c = cached.clone();
        async move { c.token().await.map(|t| t.secret().expose().to_owned()) }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(cached.token_now().is_none(), "refresh in flight");
    assert_eq!(refreshing.await.unwrap().unwrap(), "token-2");
    assert_eq!(cached.token_now().unwrap().secret().expose(), "token-2");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A fixed token is always at hand.
    let fixed = pim_api::runtime::StaticToken::new("fixed");
    assert_eq!(fixed.token_now().unwrap().secret().expose(), "fixed");
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let clock = ManualClock::new();
    let (cached, calls) = slow_hour_tokens(&clock);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = cached.clone();
            tokio::spawn(async move { c.token().await.map(|t| t.secret().expose().to_owned()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "token-1");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

struct Failing;
impl TokenProvider for Failing {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async {
            Err(Error::auth(
                "AADSTS7000215: Invalid client secret provided.",
            ))
        })
    }
}

struct BadHeader;
impl TokenProvider for BadHeader {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(AccessToken::new("abc\r\nX-Evil: 1-this-is-secret")) })
    }
}

#[tokio::test]
async fn provider_failures_and_unusable_tokens_send_nothing() {
    let server = ok_server().await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone())
        .token_provider(Failing)
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("me"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.to_string().contains("AADSTS7000215"));
    assert_eq!(err.attempts(), 1, "auth failures are not retried");
    assert!(clock.sleeps().is_empty());

    let client = builder(&server.uri(), clock.clone())
        .token_provider(BadHeader)
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("me"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!format!("{err} {err:?}").contains("this-is-secret"));

    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn tokens_echoed_by_the_server_are_redacted_from_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": "InvalidAuthenticationToken",
            "message": format!("Token {} is expired", runtime_support::TOKEN),
        }})))
        .mount(&server)
        .await;
    let client = runtime_support::client(&server.uri());
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("me"))
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?} {}", err.graph_error().unwrap().message);
    assert!(!shown.contains(runtime_support::TOKEN), "{shown}");
    assert!(shown.contains("<redacted>"));
}
