//! [`Client`] and its [`ClientBuilder`].
//!
//! The client owns the connection pool, the token provider, the retry policy and the
//! base URL, behind one `Arc`, so cloning it is a reference-count bump and every request
//! builder can hold its own copy (builders are `'static` and `Send`, which keeps the
//! generated API free of lifetimes).

use std::{fmt, sync::Arc, time::Duration};

use reqwest::header::HeaderValue;
use url::{Host, Url};

use super::{
    auth::TokenProvider,
    clock::{Clock, SystemClock},
    cloud::NationalCloud,
    error::{Error, ErrorKind, Result},
    retry::RetryPolicy,
};

/// Default connect timeout: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default per-attempt timeout (token, connect, send, and read the whole body): 100 s, just
/// above the ~90 s after which Graph's own gateway gives up on a request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);
/// Bytes of path (after the base) a request URL can have before its buffer must grow;
/// PIM paths with a GUID key and a query are typically 80-200 bytes.
const URL_SEED_ROOM: usize = 256;
/// Default maximum number of redirects followed per attempt.
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
/// Default maximum size of a success response body: 64 MiB (a 999-item page with
/// `$expand` is a few MiB; anything near the limit is a broken or hostile server).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 64 * 1024 * 1024;

/// A Microsoft Graph client. Cheap to clone; share one per process (it pools
/// connections).
///
/// ```no_run
/// # fn demo() -> pim_api::runtime::Result<()> {
/// use pim_api::runtime::{Client, NationalCloud, RetryPolicy, StaticToken};
/// let client = Client::builder()
///     .cloud(NationalCloud::UsGov)
///     .token_provider(StaticToken::new("eyJ0eXAi..."))
///     .retry_policy(RetryPolicy::new().max_retries(6))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Base URL, e.g. `https://graph.microsoft.com/beta`.
    pub(crate) base: Url,
    /// The base URL's path without a trailing `/` (e.g. `/beta`), prepended to every
    /// [`ODataPath`](super::ODataPath).
    pub(crate) base_path: String,
    /// The base URL with a long placeholder path, cloned as the start of every request
    /// URL. A clone of `base` has room for exactly the base and then grows two or three
    /// times while the real path is written; a clone of this has room for any usual path
    /// (the placeholder is replaced, never sent).
    pub(crate) url_seed: Url,
    /// The last formatted `Authorization` value and the token it was made from.
    pub(crate) bearer_cache: std::sync::Mutex<Option<(super::auth::Secret, HeaderValue)>>,
    pub(crate) cloud: NationalCloud,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) allow_http_loopback: bool,
    pub(crate) max_redirects: u32,
    pub(crate) max_response_size: usize,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
}

impl fmt::Debug for Client {
    // Hand-written: the token provider is summarised, never formatted, so no provider
    // implementation can leak a token through `{:?}` of the client.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base.as_str())
            .field("cloud", &i.cloud)
            .field("token_provider", &"<redacted>")
            .field("retry", &i.retry)
            .field("timeout", &i.timeout)
            .field("connect_timeout", &i.connect_timeout)
            .field("max_redirects", &i.max_redirects)
            .field("max_response_size", &i.max_response_size)
            .field("allow_http_loopback", &i.allow_http_loopback)
            .field("user_agent", &i.user_agent)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests are made against, e.g. `https://graph.microsoft.com/beta`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The national cloud the client was configured for (determines the token scope).
    pub fn cloud(&self) -> NationalCloud {
        self.inner.cloud
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Whether `url` may receive the bearer token: same scheme, host and port as the base
    /// URL, and no embedded credentials.
    pub(crate) fn is_graph_origin(&self, url: &Url) -> bool {
        // Component-wise instead of `Url::origin()`, which allocates: this runs on every
        // hop of every request. Hosts are already normalised (lower-cased, IDNA, IP
        // canonical form) by the URL parser, so string equality is origin equality.
        let base = &self.inner.base;
        url.scheme() == base.scheme()
            && url.host_str().is_some()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
    }

    /// Resolves and validates an `@odata.nextLink` (or a saved one being resumed). Only
    /// links on the Graph origin are accepted; anything else is refused *before* a request
    /// could be made, because following it would hand our bearer token to another host.
    pub(crate) fn trusted_link(&self, link: &str) -> Result<Url> {
        let url = self.inner.base.join(link).map_err(|e| {
            Error::new(
                ErrorKind::InvalidUrl,
                format!("malformed @odata.nextLink: {e}"),
            )
        })?;
        if !self.is_graph_origin(&url) {
            return Err(Error::new(
                ErrorKind::UntrustedUrl,
                format!(
                    "refusing @odata.nextLink to {}: only {} may receive the bearer token",
                    describe_origin(&url),
                    describe_origin(&self.inner.base)
                ),
            ));
        }
        Ok(url)
    }

    /// Whether a redirect may be followed to `url` at all (tokens are handled separately:
    /// they only go to the Graph origin). Plain http is allowed only where the client
    /// itself may use it, so a redirect cannot downgrade a request body to cleartext.
    pub(crate) fn redirect_allowed(&self, url: &Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => self.inner.allow_http_loopback && is_loopback(url),
            _ => false,
        }
    }
}

/// `scheme://host:port` for messages; never includes path, query or userinfo.
pub(crate) fn describe_origin(url: &Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(h), Some(p)) => format!(
            "{}://{}:{}",
            url.scheme(),
            super::error::sanitize(h, 255),
            p
        ),
        (Some(h), None) => format!("{}://{}", url.scheme(), super::error::sanitize(h, 255)),
        _ => format!("{}:", url.scheme()),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Configures a [`Client`]. Every setting has a documented default; only a token
/// provider is required.
pub struct ClientBuilder {
    base_url: Option<String>,
    cloud: NationalCloud,
    tokens: Option<Arc<dyn TokenProvider>>,
    #[cfg(feature = "azure-identity")]
    azure_credential: Option<Arc<dyn super::auth::azure::TokenCredential>>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    allow_http_loopback: bool,
    max_redirects: u32,
    max_response_size: usize,
    clock: Arc<dyn Clock>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            cloud: NationalCloud::Global,
            tokens: None,
            #[cfg(feature = "azure-identity")]
            azure_credential: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: concat!("pim-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            allow_http_loopback: false,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("cloud", &self.cloud)
            .field(
                "token_provider",
                &self.tokens.as_ref().map(|_| "<redacted>"),
            )
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets an explicit base URL (default: the selected cloud's `/beta` endpoint,
    /// `https://graph.microsoft.com/beta`). Must be `https`, or `http` on a loopback host
    /// with [`allow_http_loopback`](Self::allow_http_loopback).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Selects a national cloud: sets the default base URL and the token scope used by
    /// `azure_credential` (feature `azure-identity`). An explicit
    /// [`base_url`](Self::base_url) still wins for the URL.
    pub fn cloud(mut self, cloud: NationalCloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Sets the token provider. It is called before every attempt; wrap expensive
    /// providers in [`CachingTokenProvider`](crate::runtime::CachingTokenProvider).
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Some(Arc::new(provider));
        self
    }

    /// Sets an already shared token provider.
    pub fn token_provider_arc(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(provider);
        self
    }

    /// Authenticates with an `azure_identity` credential (`ClientSecretCredential`,
    /// `ManagedIdentityCredential`, `AzureCliCredential`, ...), requesting the selected
    /// cloud's `/.default` scope, with token caching.
    #[cfg(feature = "azure-identity")]
    pub fn azure_credential(
        mut self,
        credential: Arc<dyn super::auth::azure::TokenCredential>,
    ) -> Self {
        self.azure_credential = Some(credential);
        self
    }

    /// Sets the TCP/TLS connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the per-attempt timeout covering the token provider's call, connect, request
    /// and reading the whole response body (default 100 s). Retries each get a fresh timeout; the retry
    /// policy's total budget bounds the sum.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the `User-Agent` header (default `pim-api/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Allows a plain-`http` base URL on a loopback host (`127.0.0.0/8`, `::1`,
    /// `localhost`), for tests against local mock servers. Off by default; never allows
    /// http to any other host. When on, proxies are disabled so loopback traffic (and
    /// the token in it) never leaves the machine.
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// Sets how many redirects one attempt may follow (default 5).
    pub fn max_redirects(mut self, n: u32) -> Self {
        self.max_redirects = n;
        self
    }

    /// Sets the maximum success response body size (default 64 MiB); larger bodies fail
    /// with [`ErrorKind::BodyTooLarge`] instead of exhausting memory.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Replaces the clock used for retry delays, `Retry-After` dates and the retry
    /// budget (tests use a virtual clock so retries take no real time).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// Fails with [`ErrorKind::Config`] when no token provider is set or the user agent is
    /// not a valid header value, [`ErrorKind::InvalidUrl`] for a malformed base URL, and
    /// [`ErrorKind::UntrustedUrl`] for a base URL that is not https (or allowed loopback
    /// http), or that carries credentials, a query or a fragment.
    pub fn build(self) -> Result<Client> {
        let raw_base = self
            .base_url
            .clone()
            .unwrap_or_else(|| self.cloud.beta_base_url());
        let base = Url::parse(&raw_base)
            .map_err(|e| Error::new(ErrorKind::InvalidUrl, format!("invalid base URL: {e}")))?;
        let scheme_ok = match base.scheme() {
            "https" => true,
            "http" => self.allow_http_loopback && is_loopback(&base),
            _ => false,
        };
        if !scheme_ok {
            return Err(Error::new(
                ErrorKind::UntrustedUrl,
                format!(
                    "base URL {} must use https (plain http is only allowed for loopback hosts with allow_http_loopback(true))",
                    describe_origin(&base)
                ),
            ));
        }
        if !base.username().is_empty()
            || base.password().is_some()
            || base.query().is_some()
            || base.fragment().is_some()
            || base.cannot_be_a_base()
        {
            return Err(Error::new(
                ErrorKind::UntrustedUrl,
                "base URL must not contain credentials, a query or a fragment",
            ));
        }
        let base_path = base.path().trim_end_matches('/').to_owned();
        let mut url_seed = base.clone();
        url_seed.set_path(&format!("{base_path}/{}", "x".repeat(URL_SEED_ROOM)));

        let tokens = self.resolve_tokens()?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid user agent: {e}")))?;

        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            // We follow redirects ourselves so we can drop Authorization on cross-origin
            // hops and refuse downgrades; see transport.rs.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            // The per-attempt timeout is applied by the transport (see transport.rs).
            .https_only(!self.allow_http_loopback)
            .user_agent(user_agent.clone());
        if self.allow_http_loopback {
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("could not build HTTP client: {e}"),
            )
            .with_source(e)
        })?;

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base,
                base_path,
                url_seed,
                bearer_cache: std::sync::Mutex::new(None),
                cloud: self.cloud,
                tokens,
                retry: self.retry,
                clock: self.clock,
                allow_http_loopback: self.allow_http_loopback,
                max_redirects: self.max_redirects,
                max_response_size: self.max_response_size,
                user_agent,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
            }),
        })
    }

    fn resolve_tokens(&self) -> Result<Arc<dyn TokenProvider>> {
        #[cfg(feature = "azure-identity")]
        if let Some(cred) = &self.azure_credential {
            let provider = super::auth::azure::AzureIdentityProvider::new(cred.clone(), self.cloud);
            return Ok(Arc::new(
                super::auth::CachingTokenProvider::new(provider).with_clock(self.clock.clone()),
            ));
        }
        self.tokens.clone().ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "no token provider configured: call ClientBuilder::token_provider",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::StaticToken;

    fn b() -> ClientBuilder {
        Client::builder().token_provider(StaticToken::new("t"))
    }

    #[test]
    fn defaults_and_clouds() {
        let c = b().build().unwrap();
        assert_eq!(c.base_url().as_str(), "https://graph.microsoft.com/beta");
        for (cloud, url) in [
            (NationalCloud::UsGov, "https://graph.microsoft.us/beta"),
            (
                NationalCloud::UsGovDod,
                "https://dod-graph.microsoft.us/beta",
            ),
            (
                NationalCloud::China,
                "https://microsoftgraph.chinacloudapi.cn/beta",
            ),
        ] {
            let c = b().cloud(cloud).build().unwrap();
            assert_eq!(c.base_url().as_str(), url);
            assert_eq!(c.cloud(), cloud);
        }
        let c = b()
            .base_url("https://graph.microsoft.com/v1.0/")
            .build()
            .unwrap();
        assert_eq!(c.inner.base_path, "/v1.0");
    }

    #[test]
    fn insecure_base_urls_are_refused() {
        let kind = |r: Result<Client>| r.unwrap_err().kind();
        assert_eq!(
            kind(b().base_url("http://graph.microsoft.com/beta").build()),
            ErrorKind::UntrustedUrl
        );
        assert_eq!(
            kind(
                b().base_url("http://10.0.0.1/beta")
                    .allow_http_loopback(true)
                    .build()
            ),
            ErrorKind::UntrustedUrl
        );
        assert_eq!(
            kind(b().base_url("http://127.0.0.1:1/beta").build()),
            ErrorKind::UntrustedUrl
        );
        assert!(
            b().base_url("http://127.0.0.1:1/beta")
                .allow_http_loopback(true)
                .build()
                .is_ok()
        );
        assert!(
            b().base_url("http://[::1]:1/")
                .allow_http_loopback(true)
                .build()
                .is_ok()
        );
        assert!(
            b().base_url("http://localhost:1/")
                .allow_http_loopback(true)
                .build()
                .is_ok()
        );
        assert_eq!(
            kind(b().base_url("https://u:p@graph.microsoft.com/").build()),
            ErrorKind::UntrustedUrl
        );
        assert_eq!(
            kind(b().base_url("https://graph.microsoft.com/?x=1").build()),
            ErrorKind::UntrustedUrl
        );
        assert_eq!(
            kind(b().base_url("not a url").build()),
            ErrorKind::InvalidUrl
        );
        assert_eq!(kind(Client::builder().build()), ErrorKind::Config);
        assert_eq!(kind(b().user_agent("bad\nua").build()), ErrorKind::Config);
    }

    #[test]
    fn next_links_must_stay_on_origin() {
        let c = b().build().unwrap();
        assert!(
            c.trusted_link("https://graph.microsoft.com/beta/x?$skiptoken=1")
                .is_ok()
        );
        assert!(
            c.trusted_link("https://GRAPH.microsoft.com:443/beta/x")
                .is_ok()
        );
        assert!(c.trusted_link("/beta/x").is_ok());
        for bad in [
            "https://evil.example/beta/x",
            "http://graph.microsoft.com/beta/x",
            "https://graph.microsoft.com:8443/beta/x",
            "https://graph.microsoft.com.evil.example/x",
            "https://user@graph.microsoft.com/beta/x",
            "//evil.example/x",
            "file:///etc/passwd",
        ] {
            assert_eq!(
                c.trusted_link(bad).unwrap_err().kind(),
                ErrorKind::UntrustedUrl,
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_has_no_token() {
        let c = Client::builder()
            .token_provider(StaticToken::new("sekrit-token"))
            .build()
            .unwrap();
        let s = format!(
            "{c:?} {:?}",
            Client::builder().token_provider(StaticToken::new("sekrit-token"))
        );
        assert!(!s.contains("sekrit"), "{s}");
    }
}
