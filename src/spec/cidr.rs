//! IPv4 CIDR blocks for the offline network checks: parse (`10.244.0.0/16`, host bits must be
//! zero), contain an address, overlap another block.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 network: base address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    base: u32,
    prefix: u8,
}

/// Why a CIDR does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("`{0}` is not a CIDR block (expected `a.b.c.d/n`)")]
    Shape(String),
    #[error("`{0}` has an invalid IPv4 address")]
    Address(String),
    #[error("`{0}` has a prefix length outside 0-32")]
    Prefix(String),
    #[error("`{text}` has host bits set; the network is `{network}`")]
    HostBits { text: String, network: String },
}

impl Cidr {
    pub fn prefix_length(self) -> u8 {
        self.prefix
    }

    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        }
    }

    /// First address of the block.
    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(self.base)
    }

    /// Last address of the block.
    pub fn broadcast(self) -> Ipv4Addr {
        Ipv4Addr::from(self.base | !self.mask())
    }

    pub fn contains(self, address: Ipv4Addr) -> bool {
        u32::from(address) & self.mask() == self.base
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        let mask = self.mask() & other.mask();
        self.base & mask == other.base & mask
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = text
            .split_once('/')
            .ok_or_else(|| CidrError::Shape(text.to_string()))?;
        let address: Ipv4Addr = address
            .parse()
            .map_err(|_| CidrError::Address(text.to_string()))?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|prefix| *prefix <= 32)
            .ok_or_else(|| CidrError::Prefix(text.to_string()))?;
        let candidate = Cidr {
            base: u32::from(address),
            prefix,
        };
        let network = Cidr {
            base: candidate.base & candidate.mask(),
            prefix,
        };
        if network.base != candidate.base {
            return Err(CidrError::HostBits {
                text: text.to_string(),
                network: network.to_string(),
            });
        }
        Ok(network)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().expect(text)
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(cidr("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert_eq!(
            cidr("0.0.0.0/0").broadcast(),
            Ipv4Addr::new(255, 255, 255, 255)
        );
        assert_eq!(cidr("10.1.2.3/32").network(), Ipv4Addr::new(10, 1, 2, 3));
    }

    #[test]
    fn rejects_bad_blocks() {
        assert!(matches!(
            "10.0.0.0".parse::<Cidr>(),
            Err(CidrError::Shape(_))
        ));
        assert!(matches!(
            "10.0.0.300/16".parse::<Cidr>(),
            Err(CidrError::Address(_))
        ));
        assert!(matches!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err(CidrError::Prefix(_))
        ));
        assert_eq!(
            "10.0.0.1/16".parse::<Cidr>(),
            Err(CidrError::HostBits {
                text: "10.0.0.1/16".into(),
                network: "10.0.0.0/16".into()
            })
        );
    }

    #[test]
    fn containment_and_overlap() {
        assert!(cidr("10.0.0.0/16").contains(Ipv4Addr::new(10, 0, 0, 10)));
        assert!(!cidr("10.0.0.0/16").contains(Ipv4Addr::new(10, 1, 0, 10)));
        assert!(cidr("10.0.0.0/8").overlaps(cidr("10.244.0.0/16")));
        assert!(cidr("10.244.0.0/16").overlaps(cidr("10.0.0.0/8")));
        assert!(!cidr("10.0.0.0/16").overlaps(cidr("10.1.0.0/16")));
    }
}
