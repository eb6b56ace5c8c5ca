let n = "a"; in { ab = 1; }."${n}b"
