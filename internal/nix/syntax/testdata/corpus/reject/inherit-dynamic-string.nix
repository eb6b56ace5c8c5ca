let n = "a"; a = 1; in { inherit "${n}"; }
