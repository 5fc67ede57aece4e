//! The statistics core of the dudect engine, re-exported from the `no_std` crate
//! [`ct_verify_stats`] (online mean and variance, Welch's t-test, percentile cropping, first- and
//! second-order tests), so that firmware runs exactly the same statistics on the device.

pub use ct_verify_stats::*;
