let f = x: x + 1; g = x: x * 2; in f <| g <| f <| 1
