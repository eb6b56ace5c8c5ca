let f = z: z; in f {a}: a
