//! Authentication: access tokens, token providers and caching.
//!
//! The client asks its [`TokenProvider`] for a token before every attempt that goes to
//! the Graph origin. Providers are plain object-safe traits returning boxed futures (no
//! `async_trait` macro), so any async credential source can be adapted in a few lines.
//!
//! * [`StaticToken`]: a fixed token (scripts, tests).
//! * [`CachingTokenProvider`]: wraps an expensive provider and reuses its token until
//!   shortly before expiry, with concurrent callers sharing one refresh.
//! * `azure` (feature `azure-identity`): adapts any `azure_core` `TokenCredential`
//!   (client secret, managed identity, Azure CLI, ...).
//!
//! Tokens live in [`Secret`], whose `Debug` never prints the value.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, SystemTime},
};

use super::{
    clock::{Clock, SystemClock},
    error::Result,
};

/// A credential string whose `Debug` output is redacted.
///
/// There is deliberately no `Display` impl: getting the value out requires calling
/// [`Secret::expose`], which is easy to grep for. The value is reference-counted so the
/// per-request clone the client makes is a pointer copy.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret value. Only call this where the value is actually needed (building the
    /// `Authorization` header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether both are clones of the same secret allocation (cheap identity check used
    /// to cache derived values such as the formatted `Authorization` header).
    pub(crate) fn same_as(&self, other: &Secret) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A bearer access token and (optionally) when it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    secret: Secret,
    expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// A token without a known expiry (cached forever by [`CachingTokenProvider`]).
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken {
            secret: Secret::new(token),
            expires_at: None,
        }
    }

    /// Sets the expiry.
    pub fn with_expiry(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The token value, redacted in `Debug`.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken>> + Send + 'a>>;

/// A source of bearer tokens for Graph.
///
/// Called before every attempt (including retries and paging follow-ups), so
/// implementations that do network I/O should be wrapped in [`CachingTokenProvider`].
/// Return [`Error::auth`](crate::runtime::Error::auth) on failure.
///
/// ```
/// use pim_api::runtime::{AccessToken, TokenFuture, TokenProvider};
///
/// struct FromEnv;
/// impl TokenProvider for FromEnv {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async {
///             std::env::var("GRAPH_TOKEN")
///                 .map(AccessToken::new)
///                 .map_err(pim_api::runtime::Error::auth)
///         })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync {
    /// Returns a currently valid access token.
    fn token(&self) -> TokenFuture<'_>;

    /// A valid token if one is at hand without waiting (a fixed or cached token), else
    /// `None`, and the client calls [`token`](Self::token). The client asks this first
    /// on every attempt, so the common case costs no boxed future. The default says
    /// `None`; providers need only implement it when they can answer synchronously.
    fn token_now(&self) -> Option<AccessToken> {
        None
    }

    /// A token whose sign-in satisfies `claims`, the JSON of a claims challenge
    /// (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`: an authentication
    /// context), for providers that can sign in again for it — interactively, or with
    /// MSAL's claims request parameter. When the service answers a request with a claims
    /// challenge (see [`ClaimsChallenge`](super::ClaimsChallenge)), the client calls this
    /// once and sends the request again, once, with the token it returns.
    ///
    /// The default is `None`: the provider cannot, and the caller gets the challenge as an
    /// error whose message says which claims are needed and how to get a token for them.
    /// `azure_identity` 1.0 credentials cannot answer claims (its `TokenRequestOptions` has
    /// no claims), so the `azure-identity` adapter says `None` too. Whether the tokens
    /// declare the `cp1` client capability (so the service sends challenges at all rather
    /// than refusing outright) is the provider's choice: pim-api does not add it.
    fn token_for_claims<'a>(&'a self, claims: &'a str) -> Option<TokenFuture<'a>> {
        let _ = claims;
        None
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Arc<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn token_now(&self) -> Option<AccessToken> {
        (**self).token_now()
    }

    fn token_for_claims<'a>(&'a self, claims: &'a str) -> Option<TokenFuture<'a>> {
        (**self).token_for_claims(claims)
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Box<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn token_now(&self) -> Option<AccessToken> {
        (**self).token_now()
    }

    fn token_for_claims<'a>(&'a self, claims: &'a str) -> Option<TokenFuture<'a>> {
        (**self).token_for_claims(claims)
    }
}

/// A provider that always returns the same token.
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// Wraps a raw bearer token (without the `Bearer ` prefix).
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken {
            token: AccessToken::new(token),
        }
    }
}

impl From<AccessToken> for StaticToken {
    fn from(token: AccessToken) -> Self {
        StaticToken { token }
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.token.clone();
        Box::pin(std::future::ready(Ok(token)))
    }

    fn token_now(&self) -> Option<AccessToken> {
        Some(self.token.clone())
    }
}

/// Default refresh margin of [`CachingTokenProvider`]: five minutes, as the Azure SDKs
/// use, so a token is never sent with only seconds left on it.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Caches the wrapped provider's token until shortly before it expires.
///
/// A cached token is reused while `now < expires_at - margin`, where `margin` is the
/// configured refresh margin but never more than half the token's observed lifetime (so
/// short-lived tokens are still reused instead of refreshed on every call). Tokens
/// without an expiry are cached until [`CachingTokenProvider::invalidate`]. Concurrent
/// callers that find the cache stale wait for one shared refresh instead of each calling
/// the inner provider. Failures are not cached.
pub struct CachingTokenProvider<P> {
    inner: P,
    margin: Duration,
    clock: Arc<dyn Clock>,
    // tokio's Mutex because the lock is held across the inner provider's await, which is
    // what makes concurrent refreshes collapse into one.
    cache: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    token: AccessToken,
    /// After this instant (wall clock) the token is refreshed.
    refresh_at: Option<SystemTime>,
}

impl<P> CachingTokenProvider<P> {
    /// Wraps `inner` with the default 5-minute refresh margin and the system clock.
    pub fn new(inner: P) -> Self {
        CachingTokenProvider {
            inner,
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// Sets how long before expiry the token is refreshed.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Drops the cached token so the next call fetches a new one (e.g. after Graph
    /// rejected it with 401).
    pub async fn invalidate(&self) {
        *self.cache.lock().await = None;
    }
}

impl<P> fmt::Debug for CachingTokenProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingTokenProvider")
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl<P> CachingTokenProvider<P> {
    /// The cache entry for `token` fetched at `now`: refreshed `margin` before it expires,
    /// but never later than half-way through its lifetime.
    fn cached(&self, token: &AccessToken, now: SystemTime) -> Cached {
        let refresh_at = token.expires_at().map(|exp| {
            let lifetime = exp.duration_since(now).unwrap_or(Duration::ZERO);
            exp.checked_sub(self.margin.min(lifetime / 2))
                .unwrap_or(exp)
        });
        Cached {
            token: token.clone(),
            refresh_at,
        }
    }
}

impl<P: TokenProvider> TokenProvider for CachingTokenProvider<P> {
    /// The cached token while it is fresh. A refresh in progress holds the lock, and then
    /// this says `None` so the caller waits for that refresh through [`Self::token`].
    fn token_now(&self) -> Option<AccessToken> {
        let guard = self.cache.try_lock().ok()?;
        let cached = guard.as_ref()?;
        let fresh = cached.refresh_at.is_none_or(|at| self.clock.now() < at);
        fresh.then(|| cached.token.clone())
    }

    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let mut guard = self.cache.lock().await;
            let now = self.clock.now();
            if let Some(cached) = guard.as_ref() {
                let fresh = cached.refresh_at.is_none_or(|at| now < at);
                if fresh {
                    return Ok(cached.token.clone());
                }
            }
            let token = self.inner.token().await?;
            *guard = Some(self.cached(&token, now));
            Ok(token)
        })
    }

    /// Asks the inner provider; a token it returns replaces the cached one (it satisfies
    /// at least what the old one did, and the next requests will want it too).
    fn token_for_claims<'a>(&'a self, claims: &'a str) -> Option<TokenFuture<'a>> {
        let fetch = self.inner.token_for_claims(claims)?;
        Some(Box::pin(async move {
            let token = fetch.await?;
            let cached = self.cached(&token, self.clock.now());
            *self.cache.lock().await = Some(cached);
            Ok(token)
        }))
    }
}

/// Adapter for `azure_identity` credentials (feature `azure-identity`).
///
/// ```no_run
/// # async fn demo() -> pim_api::runtime::Result<()> {
/// use pim_api::runtime::{auth::azure::azure_identity::ManagedIdentityCredential, Client};
/// let credential = ManagedIdentityCredential::new(None).map_err(pim_api::runtime::Error::auth)?;
/// let client = Client::builder().azure_credential(credential).build()?;
/// # Ok(()) }
/// ```
#[cfg(feature = "azure-identity")]
pub mod azure {
    use std::{
        sync::Arc,
        time::{Duration, SystemTime},
    };

    pub use azure_core::credentials::TokenCredential;
    /// The `azure_identity` crate, re-exported so its credentials
    /// (`ClientSecretCredential`, `ManagedIdentityCredential`, `AzureCliCredential`, ...)
    /// can be used without a separate dependency whose version might not match.
    pub use azure_identity;

    use super::{AccessToken, TokenFuture, TokenProvider};
    use crate::runtime::{cloud::NationalCloud, error::Error};

    /// A [`TokenProvider`] backed by an `azure_core` [`TokenCredential`], requesting the
    /// Graph `.default` scope of one national cloud.
    ///
    /// The azure credentials cache tokens themselves, but the client still wraps this in
    /// a [`CachingTokenProvider`](super::CachingTokenProvider) (see
    /// [`ClientBuilder::azure_credential`](crate::runtime::ClientBuilder::azure_credential))
    /// so the per-request cost is one uncontended lock.
    #[derive(Clone, Debug)]
    pub struct AzureIdentityProvider {
        credential: Arc<dyn TokenCredential>,
        scope: String,
    }

    impl AzureIdentityProvider {
        /// Requests `cloud.default_scope()` from `credential`.
        pub fn new(credential: Arc<dyn TokenCredential>, cloud: NationalCloud) -> Self {
            Self::with_scope(credential, cloud.default_scope())
        }

        /// Requests an explicit scope.
        pub fn with_scope(credential: Arc<dyn TokenCredential>, scope: impl Into<String>) -> Self {
            AzureIdentityProvider {
                credential,
                scope: scope.into(),
            }
        }

        /// The scope requested.
        pub fn scope(&self) -> &str {
            &self.scope
        }
    }

    impl TokenProvider for AzureIdentityProvider {
        fn token(&self) -> TokenFuture<'_> {
            Box::pin(async move {
                let token = self
                    .credential
                    .get_token(&[self.scope.as_str()], None)
                    .await
                    .map_err(Error::auth)?;
                let secs = token.expires_on.unix_timestamp();
                let expires_at = u64::try_from(secs)
                    .ok()
                    .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s)))
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                Ok(AccessToken::new(token.token.secret().to_owned()).with_expiry(expires_at))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secret() {
        let t = AccessToken::new("super-secret-value").with_expiry(SystemTime::UNIX_EPOCH);
        let s = format!(
            "{t:?} {:?} {:?}",
            StaticToken::new("super-secret-value"),
            t.secret()
        );
        assert!(!s.contains("super-secret-value"), "{s}");
        assert!(s.contains("redacted"));
    }
}

#[cfg(all(test, feature = "azure-identity"))]
mod azure_tests {
    use std::{
        future::Future,
        pin::Pin,
        sync::{Arc, Mutex},
        time::{Duration, SystemTime},
    };

    use azure_core::{
        credentials::{AccessToken as AzToken, TokenCredential, TokenRequestOptions},
        time::OffsetDateTime,
    };

    use super::{TokenProvider, azure::AzureIdentityProvider};
    use crate::runtime::{ErrorKind, NationalCloud};

    /// A credential recording the scopes it was asked for (hand-expanded async_trait
    /// signature, so the test needs no extra macro crate).
    #[derive(Debug, Default)]
    struct Fake {
        scopes: Mutex<Vec<String>>,
        fail: bool,
    }

    impl TokenCredential for Fake {
        fn get_token<'a, 'b, 'c, 'd, 'at>(
            &'a self,
            scopes: &'b [&'c str],
            _options: Option<TokenRequestOptions<'d>>,
        ) -> Pin<Box<dyn Future<Output = azure_core::Result<AzToken>> + Send + 'at>>
        where
            'a: 'at,
            'b: 'at,
            'c: 'at,
            'd: 'at,
            Self: 'at,
        {
            self.scopes
                .lock()
                .unwrap()
                .extend(scopes.iter().map(|s| s.to_string()));
            let result = if self.fail {
                Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "no credential available",
                ))
            } else {
                Ok(AzToken::new(
                    "az-token",
                    OffsetDateTime::from_unix_timestamp(2_000_000_000).unwrap(),
                ))
            };
            Box::pin(std::future::ready(result))
        }
    }

    #[tokio::test]
    async fn adapts_token_credential_per_cloud() {
        let fake = Arc::new(Fake::default());
        let provider = AzureIdentityProvider::new(fake.clone(), NationalCloud::UsGov);
        let token = provider.token().await.unwrap();
        assert_eq!(token.secret().expose(), "az-token");
        assert_eq!(
            token.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        );
        assert_eq!(
            *fake.scopes.lock().unwrap(),
            vec!["https://graph.microsoft.us/.default".to_owned()]
        );

        let failing = AzureIdentityProvider::new(
            Arc::new(Fake {
                fail: true,
                ..Fake::default()
            }),
            NationalCloud::Global,
        );
        let err = failing.token().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert!(err.to_string().contains("no credential available"));
    }

    #[test]
    fn builder_uses_the_cloud_scope() {
        let client = crate::runtime::Client::builder()
            .cloud(NationalCloud::China)
            .azure_credential(Arc::new(Fake::default()))
            .build()
            .unwrap();
        assert_eq!(
            client.base_url().as_str(),
            "https://microsoftgraph.chinacloudapi.cn/beta"
        );
    }
}
