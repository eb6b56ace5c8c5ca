let s = { }; n = "a"; in s ? "${n}"
