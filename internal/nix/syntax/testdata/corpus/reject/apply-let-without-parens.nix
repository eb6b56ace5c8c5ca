let f = z: z; in f let in 1
