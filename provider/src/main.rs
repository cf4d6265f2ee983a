//! terraform-provider-clusternet: the provider binary.

fn main() {}
