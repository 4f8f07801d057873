//! Microsoft Graph national cloud endpoints.
//!
//! Each national cloud has its own Graph host and therefore its own token audience: a
//! token for `graph.microsoft.com` is useless against `graph.microsoft.us`. Selecting the
//! cloud in one place ([`ClientBuilder::cloud`](crate::runtime::ClientBuilder::cloud))
//! keeps base URL and token scope consistent.

use std::{fmt, str::FromStr};

use super::error::{Error, ErrorKind};

/// A Microsoft Graph deployment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NationalCloud {
    /// The global service, `https://graph.microsoft.com`.
    #[default]
    Global,
    /// US Government L4, `https://graph.microsoft.us`.
    UsGov,
    /// US Government L5 (DOD), `https://dod-graph.microsoft.us`.
    UsGovDod,
    /// China, operated by 21Vianet, `https://microsoftgraph.chinacloudapi.cn`.
    China,
}

impl NationalCloud {
    /// Every cloud, for iteration in tests and CLIs.
    pub const ALL: [NationalCloud; 4] = [
        NationalCloud::Global,
        NationalCloud::UsGov,
        NationalCloud::UsGovDod,
        NationalCloud::China,
    ];

    /// The Graph host name.
    pub fn host(self) -> &'static str {
        match self {
            NationalCloud::Global => "graph.microsoft.com",
            NationalCloud::UsGov => "graph.microsoft.us",
            NationalCloud::UsGovDod => "dod-graph.microsoft.us",
            NationalCloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Graph root URL without version, e.g. `https://graph.microsoft.com`.
    pub fn endpoint(self) -> &'static str {
        match self {
            NationalCloud::Global => "https://graph.microsoft.com",
            NationalCloud::UsGov => "https://graph.microsoft.us",
            NationalCloud::UsGovDod => "https://dod-graph.microsoft.us",
            NationalCloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The `beta` base URL the bindings are generated for, e.g.
    /// `https://graph.microsoft.com/beta`.
    pub fn beta_base_url(self) -> String {
        format!("{}/beta", self.endpoint())
    }

    /// The OAuth scope to request app or delegated tokens for this cloud's Graph, e.g.
    /// `https://graph.microsoft.com/.default`.
    pub fn default_scope(self) -> &'static str {
        match self {
            NationalCloud::Global => "https://graph.microsoft.com/.default",
            NationalCloud::UsGov => "https://graph.microsoft.us/.default",
            NationalCloud::UsGovDod => "https://dod-graph.microsoft.us/.default",
            NationalCloud::China => "https://microsoftgraph.chinacloudapi.cn/.default",
        }
    }

    /// The configuration name: `global`, `us_gov`, `us_gov_dod` or `china`.
    pub fn name(self) -> &'static str {
        match self {
            NationalCloud::Global => "global",
            NationalCloud::UsGov => "us_gov",
            NationalCloud::UsGovDod => "us_gov_dod",
            NationalCloud::China => "china",
        }
    }
}

impl fmt::Display for NationalCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NationalCloud {
    type Err = Error;

    /// Parses a cloud name (case-insensitive; `-` and `_` interchangeable). Besides the
    /// canonical [`NationalCloud::name`]s, the common Azure aliases are accepted
    /// (`public`, `usgov`/`gcc_high`, `dod`, `china`/`21vianet`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        Ok(match norm.as_str() {
            "global" | "public" | "azure_public" | "commercial" => NationalCloud::Global,
            "us_gov" | "usgov" | "gcc_high" | "l4" => NationalCloud::UsGov,
            "us_gov_dod" | "usgov_dod" | "dod" | "l5" => NationalCloud::UsGovDod,
            "china" | "21vianet" | "azure_china" => NationalCloud::China,
            _ => {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!(
                        "unknown national cloud {:?}; expected global, us_gov, us_gov_dod or china",
                        super::error::sanitize(s, 64)
                    ),
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in NationalCloud::ALL {
            assert_eq!(c.name().parse::<NationalCloud>().unwrap(), c);
            assert!(c.beta_base_url().starts_with("https://"));
            assert!(c.default_scope().starts_with(c.endpoint()));
            assert!(c.endpoint().ends_with(c.host()));
        }
        assert_eq!(
            "US-Gov-DoD".parse::<NationalCloud>().unwrap(),
            NationalCloud::UsGovDod
        );
        assert_eq!(
            "nowhere".parse::<NationalCloud>().unwrap_err().kind(),
            ErrorKind::Config
        );
    }
}
