let f = x: x; g = x: x; in f <| 1 |> g
