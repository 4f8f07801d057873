//! Collection pages and lazy `@odata.nextLink` paging.
//!
//! Graph returns collections as `{"value": [...], "@odata.nextLink": "...",
//! "@odata.count": n, ...}`. [`Page`] is that envelope. [`Pager`] is a `Stream` of pages
//! and [`ItemStream`] a `Stream` of items; both fetch the next page only when the
//! consumer asks for more, so memory stays at one page no matter how long the collection.
//!
//! Every `@odata.nextLink` is validated against the client's Graph origin before it is
//! requested: a link to another scheme, host or port yields an
//! [`ErrorKind::UntrustedUrl`] error and no request
//! is made, because following it would hand the bearer token to a stranger.
//!
//! Interrupted iterations can be resumed: [`Pager::next_link`] tells which link comes
//! next (save it), and [`Pager::from_next_link`] / [`Client::resume`] start again from it.
//!
//! A server that links a page back to one already fetched would keep a stream going
//! forever (and `collect_all` from ever returning): the pager remembers every URL it
//! fetched and stops with an [`ErrorKind::Paging`] error, after yielding everything it
//! got, instead of requesting a page twice. [`Pager::max_pages`] bounds a walk further.

use std::{
    collections::HashSet,
    fmt,
    hash::{DefaultHasher, Hash, Hasher},
    mem,
    pin::Pin,
    task::{Context, Poll},
};

use futures::{Stream, ready};
use reqwest::{
    Method,
    header::{HeaderMap, HeaderName, HeaderValue},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use super::{
    client::Client,
    error::{Error, ErrorKind, Result},
    request::{ResponseFuture, decode_entity},
    transport::RawRequest,
};

/// One page of a collection.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(bound(deserialize = "T: DeserializeOwned", serialize = "T: Serialize"))]
pub struct Page<T> {
    /// The items on this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// `@odata.nextLink`: the URL of the next page, if there is one.
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    /// `@odata.count`: the total number of items, when requested with `$count=true`
    /// (usually only on the first page).
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
    /// Every other member of the envelope (`@odata.context`, `@odata.deltaLink`, ...),
    /// kept verbatim.
    #[serde(flatten)]
    pub annotations: Map<String, Value>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            value: Vec::new(),
            next_link: None,
            count: None,
            annotations: Map::new(),
        }
    }
}

impl<T> Page<T> {
    /// `@odata.context`, if present.
    pub fn context(&self) -> Option<&str> {
        self.annotations
            .get("@odata.context")
            .and_then(Value::as_str)
    }

    /// `@odata.deltaLink`, if present (delta queries).
    pub fn delta_link(&self) -> Option<&str> {
        self.annotations
            .get("@odata.deltaLink")
            .and_then(Value::as_str)
    }

    /// Whether there are more pages.
    pub fn has_next(&self) -> bool {
        self.next_link.is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.value.into_iter()
    }
}

/// What the pager does on the next poll.
enum State {
    /// Send the initial request.
    First(Box<RawRequest>),
    /// Follow this `@odata.nextLink`.
    Next(String),
    /// Report a builder error once, then finish.
    Failed(Error),
    Done,
}

/// A [`Stream`] of [`Page`]s following `@odata.nextLink` lazily.
///
/// Yields `Err` at most once and then ends; after an error [`Pager::next_link`] still
/// returns the link whose fetch failed, so the caller can resume later.
pub struct Pager<T> {
    client: Option<Client>,
    state: State,
    in_flight: Option<ResponseFuture<Page<T>>>,
    /// Headers re-sent with every follow-up (e.g. `ConsistencyLevel`); query options are
    /// not re-sent because Graph encodes them in the nextLink.
    headers: HeaderMap,
    template: String,
    operation: &'static str,
    resume: Option<String>,
    pages: u64,
    /// Hashes of every URL fetched: a nextLink to one of them is a loop.
    seen: HashSet<u64>,
    max_pages: Option<u64>,
}

fn url_hash(url: &str) -> u64 {
    let mut h = DefaultHasher::new();
    url.hash(&mut h);
    h.finish()
}

impl<T> fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("template", &self.template)
            .field("operation", &self.operation)
            .field("pages", &self.pages)
            .field("next_link", &self.resume)
            .field("in_flight", &self.in_flight.is_some())
            .finish()
    }
}

// The pager never pins into `T` values (pages are moved out by value), so it is `Unpin`
// whatever `T` is; that keeps `StreamExt::next()` usable without `Box::pin`.
impl<T> Unpin for Pager<T> {}

impl<T> Pager<T> {
    pub(crate) fn start(client: Client, raw: RawRequest) -> Self {
        Pager {
            client: Some(client),
            headers: raw.headers.clone(),
            template: raw.template.clone(),
            operation: raw.operation,
            state: State::First(Box::new(raw)),
            in_flight: None,
            resume: None,
            pages: 0,
            seen: HashSet::new(),
            max_pages: None,
        }
    }

    pub(crate) fn failed(err: Error) -> Self {
        Pager {
            client: None,
            headers: HeaderMap::new(),
            template: String::new(),
            operation: "",
            state: State::Failed(err),
            in_flight: None,
            resume: None,
            pages: 0,
            seen: HashSet::new(),
            max_pages: None,
        }
    }

    /// Resumes paging from a saved `@odata.nextLink`. The link is validated now: one that
    /// is not on the client's Graph origin is refused with
    /// [`ErrorKind::UntrustedUrl`] and nothing
    /// is sent. Headers the original request needed (e.g. `ConsistencyLevel`) must be
    /// added again with [`Pager::header`].
    pub fn from_next_link(client: &Client, next_link: &str) -> Result<Self> {
        client.trusted_link(next_link)?;
        Ok(Pager {
            client: Some(client.clone()),
            headers: HeaderMap::new(),
            template: String::from("{nextLink}"),
            operation: "",
            state: State::Next(next_link.to_owned()),
            in_flight: None,
            resume: Some(next_link.to_owned()),
            pages: 0,
            seen: HashSet::new(),
            max_pages: None,
        })
    }

    /// Stops after `n` pages with an [`ErrorKind::Paging`] error (after yielding the
    /// `n`th page); [`Pager::next_link`] is then the link of the page after, to resume
    /// from. Without it, a walk ends at the last page or at a link back to a page
    /// already fetched.
    pub fn max_pages(mut self, n: u64) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// Adds a header to every request this pager makes. Invalid headers and
    /// `Authorization` fail with [`ErrorKind::Config`].
    pub fn header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::new(ErrorKind::Config, "invalid header name"))?;
        if name == reqwest::header::AUTHORIZATION {
            return Err(Error::new(
                ErrorKind::Config,
                "Authorization cannot be set as an extra header",
            ));
        }
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("invalid value for header {name}"),
            )
        })?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// Names the operation for tracing spans.
    pub fn operation(mut self, name: &'static str) -> Self {
        self.operation = name;
        self
    }

    /// The `@odata.nextLink` that will be (or, after an error, failed to be) fetched
    /// next; `None` before the first page and after the last. Save it to resume with
    /// [`Pager::from_next_link`].
    pub fn next_link(&self) -> Option<&str> {
        self.resume.as_deref()
    }

    /// How many pages have been yielded.
    pub fn pages_fetched(&self) -> u64 {
        self.pages
    }

    /// Converts into a stream of items.
    pub fn into_items(self) -> ItemStream<T> {
        ItemStream {
            pager: self,
            current: Vec::new().into_iter(),
            count: None,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Pager<T> {
    fn fetch(&self, client: Client, raw: RawRequest) -> ResponseFuture<Page<T>> {
        ResponseFuture::new(client, raw, decode_entity::<Page<T>>)
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Pager<T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(fut) = this.in_flight.as_mut() {
                let result = ready!(Pin::new(fut).poll(cx));
                this.in_flight = None;
                return Poll::Ready(Some(match result {
                    Ok(page) => {
                        this.pages += 1;
                        this.resume = page.next_link.clone();
                        this.state = match &page.next_link {
                            Some(link) => State::Next(link.clone()),
                            None => State::Done,
                        };
                        Ok(page)
                    }
                    Err(e) => {
                        // `resume` still holds the failed link.
                        this.state = State::Done;
                        Err(e)
                    }
                }));
            }
            let Some(client) = this.client.clone() else {
                return Poll::Ready(match mem::replace(&mut this.state, State::Done) {
                    State::Failed(e) => Some(Err(e)),
                    _ => None,
                });
            };
            match mem::replace(&mut this.state, State::Done) {
                State::First(raw) => {
                    this.seen.insert(url_hash(raw.url.as_str()));
                    this.in_flight = Some(this.fetch(client, *raw));
                }
                State::Next(link) => {
                    // Validated here, before anything is sent to it.
                    let url = match client.trusted_link(&link) {
                        Ok(url) => url,
                        Err(e) => {
                            tracing::warn!(template = %this.template, error = %e, "refusing @odata.nextLink");
                            return Poll::Ready(Some(Err(e)));
                        }
                    };
                    if let Some(max) = this.max_pages.filter(|m| this.pages >= *m) {
                        return Poll::Ready(Some(Err(Error::new(
                            ErrorKind::Paging,
                            format!(
                                "stopped after {max} pages (max_pages); next_link() resumes from the next one"
                            ),
                        ))));
                    }
                    if !this.seen.insert(url_hash(url.as_str())) {
                        tracing::warn!(template = %this.template, pages = this.pages, "@odata.nextLink loops");
                        return Poll::Ready(Some(Err(Error::new(
                            ErrorKind::Paging,
                            format!(
                                "the @odata.nextLink after page {} leads back to a page already fetched; stopped instead of fetching it again",
                                this.pages
                            ),
                        ))));
                    }
                    let raw = RawRequest {
                        method: Method::GET,
                        url,
                        body: None,
                        headers: this.headers.clone(),
                        template: this.template.clone(),
                        operation: this.operation,
                    };
                    this.in_flight = Some(this.fetch(client, raw));
                }
                State::Failed(e) => return Poll::Ready(Some(Err(e))),
                State::Done => return Poll::Ready(None),
            }
        }
    }
}

/// A [`Stream`] of items across all pages of a collection, fetching each page only when
/// the previous one has been consumed. Ends after the first error.
pub struct ItemStream<T> {
    pager: Pager<T>,
    current: std::vec::IntoIter<T>,
    count: Option<u64>,
}

// See `Pager`: items are only moved, never pinned.
impl<T> Unpin for ItemStream<T> {}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("pager", &self.pager)
            .field("buffered", &self.current.len())
            .field("count", &self.count)
            .finish()
    }
}

impl<T> ItemStream<T> {
    /// `@odata.count` from the first page that carried one (with `$count=true`).
    ///
    /// (Not named `count`, which would be shadowed by `StreamExt::count`.)
    pub fn total_count(&self) -> Option<u64> {
        self.count
    }

    /// The next `@odata.nextLink` to fetch once the buffered items are consumed (see
    /// [`Pager::next_link`]). Resuming from it skips the items still buffered.
    pub fn next_link(&self) -> Option<&str> {
        self.pager.next_link()
    }

    /// Items of the current page not yet yielded.
    pub fn buffered_len(&self) -> usize {
        self.current.len()
    }

    /// Back to a page stream (buffered items are dropped).
    pub fn into_pages(self) -> Pager<T> {
        self.pager
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pager).poll_next(cx)) {
                Some(Ok(page)) => {
                    if this.count.is_none() {
                        this.count = page.count;
                    }
                    // Replacing the iterator frees the previous page's allocation.
                    this.current = page.value.into_iter();
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.len(), None)
    }
}

impl Client {
    /// Resumes paging a collection from a saved `@odata.nextLink`; see
    /// [`Pager::from_next_link`].
    pub fn resume<T>(&self, next_link: &str) -> Result<Pager<T>> {
        Pager::from_next_link(self, next_link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keeps_annotations() {
        let p: Page<u32> = serde_json::from_str(
            r#"{"@odata.context":"ctx","value":[1,2],"@odata.nextLink":"n","@odata.count":7,"@x.y":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(p.value, vec![1, 2]);
        assert_eq!(p.next_link.as_deref(), Some("n"));
        assert_eq!(p.count, Some(7));
        assert_eq!(p.context(), Some("ctx"));
        assert!(p.annotations.contains_key("@x.y"));
        assert!(!p.annotations.contains_key("value"));
        let empty: Page<u32> = serde_json::from_str("{}").unwrap();
        assert!(empty.value.is_empty() && !empty.has_next());
    }
}
