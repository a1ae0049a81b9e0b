//! What a function needs to run on Lambda and nothing the local stack needs: the AWS SDK
//! configuration, built once per cold start.

pub mod sdk;
