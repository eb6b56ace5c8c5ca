# strtod reports ERANGE for subnormal results, and Nix 2.8 rejects them.
1.0e-320
