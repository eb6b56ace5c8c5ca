let n = "a"; in { inherit ${n}; }
