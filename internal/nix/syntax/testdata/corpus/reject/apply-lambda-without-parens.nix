let f = z: z; in f x: x
