let n = "a"; in { "${n}" = 1; "x${n}y" = 2; }
