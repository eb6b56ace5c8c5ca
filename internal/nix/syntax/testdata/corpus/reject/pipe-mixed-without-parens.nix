let f = x: x; g = x: x; in 1 |> f <| g
