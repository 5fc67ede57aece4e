//! Workloads shared by the benchmarks and by the constant-time verification suite.
