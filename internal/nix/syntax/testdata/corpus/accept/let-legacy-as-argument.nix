let f = x: x; in f (let { body = 2; })
